from fastapi import APIRouter

from app.api.endpoints.auth import router as auth_router
from app.api.endpoints.categories import router as categories_router
from app.api.endpoints.comments import router as comments_router
from app.api.endpoints.posts import router as posts_router
from app.api.endpoints.tags import router as tags_router
from app.api.endpoints.users import router as users_router

api_router = APIRouter()
api_router.include_router(auth_router)
api_router.include_router(users_router)
api_router.include_router(categories_router)
api_router.include_router(tags_router)
api_router.include_router(posts_router)
api_router.include_router(comments_router)

# Include routers of your own below this comment: prpgen adds its entities' routers above it,
# so regenerating merges with your lines instead of colliding with them.
