from fastapi import APIRouter

from app.api.deps import CurrentUser
from app.schemas.common import UNAUTHORIZED
from app.schemas.user import UserResponse

router = APIRouter(prefix="/users", tags=["users"], responses=UNAUTHORIZED)


@router.get("/me")
async def read_me(current_user: CurrentUser) -> UserResponse:
    """The signed-in user."""
    return UserResponse.model_validate(current_user)
