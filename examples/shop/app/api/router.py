from fastapi import APIRouter

from app.api.endpoints.auth import router as auth_router
from app.api.endpoints.customers import router as customers_router
from app.api.endpoints.order_items import router as order_items_router
from app.api.endpoints.orders import router as orders_router
from app.api.endpoints.products import router as products_router
from app.api.endpoints.tax_rates import router as tax_rates_router
from app.api.endpoints.users import router as users_router

api_router = APIRouter()
api_router.include_router(auth_router)
api_router.include_router(users_router)
api_router.include_router(customers_router)
api_router.include_router(tax_rates_router)
api_router.include_router(products_router)
api_router.include_router(orders_router)
api_router.include_router(order_items_router)

# Include routers of your own below this comment: prpgen adds its entities' routers above it,
# so regenerating merges with your lines instead of colliding with them.
