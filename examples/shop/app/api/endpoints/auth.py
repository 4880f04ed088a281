from fastapi import APIRouter, Depends, HTTPException, status

from app.api.deps import LoginForm, SessionDep, account_rate_limit, client_rate_limit
from app.core.security import create_access_token
from app.schemas.common import (
    EMAIL_TAKEN,
    MALFORMED,
    TOO_MANY_REQUESTS,
    WRONG_CREDENTIALS,
)
from app.schemas.user import Token, UserCreate, UserResponse
from app.services.user_service import UserService

router = APIRouter(
    prefix="/auth",
    tags=["auth"],
    dependencies=[Depends(client_rate_limit)],
    responses={**MALFORMED, **TOO_MANY_REQUESTS},
)


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    responses=EMAIL_TAKEN,
)
async def register(data: UserCreate, db: SessionDep) -> UserResponse:
    """Create an account."""
    user = await UserService(db).create(data)
    return UserResponse.model_validate(user)


@router.post(
    "/login",
    responses=WRONG_CREDENTIALS,
    dependencies=[Depends(account_rate_limit)],
)
async def login(form: LoginForm, db: SessionDep) -> Token:
    """Exchange an email (as `username`) and password for a bearer token."""
    user = await UserService(db).authenticate(form.username, form.password)
    if user is None or not user.is_active:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Incorrect email or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Token(access_token=create_access_token(user.id))
