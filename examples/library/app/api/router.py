from fastapi import APIRouter

from app.api.endpoints.auth import router as auth_router
from app.api.endpoints.books import router as books_router
from app.api.endpoints.loans import router as loans_router
from app.api.endpoints.reviews import router as reviews_router
from app.api.endpoints.shelves import router as shelves_router
from app.api.endpoints.users import router as users_router

api_router = APIRouter()
api_router.include_router(auth_router)
api_router.include_router(users_router)
api_router.include_router(shelves_router)
api_router.include_router(books_router)
api_router.include_router(reviews_router)
api_router.include_router(loans_router)

# Include routers of your own below this comment: prpgen adds its entities' routers above it,
# so regenerating merges with your lines instead of colliding with them.
