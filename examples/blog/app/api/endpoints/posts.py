from fastapi import APIRouter, status

from app.api.deps import CurrentUser, PaginationDep, RowId, SessionDep, not_found
from app.schemas.common import CONFLICT, MALFORMED, NOT_FOUND, UNAUTHORIZED
from app.schemas.post import PostCreate, PostList, PostResponse, PostUpdate
from app.services.post_service import PostService

router = APIRouter(prefix="/posts", tags=["posts"], responses=UNAUTHORIZED)

LABEL = "Post"


@router.post(
    "", status_code=status.HTTP_201_CREATED, responses={**MALFORMED, **CONFLICT}
)
async def create_post(
    data: PostCreate, db: SessionDep, current_user: CurrentUser
) -> PostResponse:
    """Create a post owned by the signed-in user."""
    post = await PostService(db).create(data, user_id=current_user.id)
    return PostResponse.model_validate(post)


@router.get("")
async def list_posts(
    db: SessionDep, current_user: CurrentUser, page: PaginationDep
) -> PostList:
    """List the signed-in user's posts, newest first."""
    service = PostService(db)
    items = await service.get_multi(
        skip=page.skip, limit=page.limit, user_id=current_user.id
    )
    total = await service.count(user_id=current_user.id)
    return PostList(
        items=[PostResponse.model_validate(item) for item in items],
        total=total,
        page=page.page,
        size=page.limit,
    )


@router.get("/{post_id}", responses=NOT_FOUND)
async def get_post(
    post_id: RowId, db: SessionDep, current_user: CurrentUser
) -> PostResponse:
    """Get one post."""
    post = await PostService(db).get(post_id, user_id=current_user.id)
    if post is None:
        raise not_found(LABEL)
    return PostResponse.model_validate(post)


@router.put("/{post_id}", responses={**MALFORMED, **NOT_FOUND, **CONFLICT})
async def replace_post(
    post_id: RowId, data: PostCreate, db: SessionDep, current_user: CurrentUser
) -> PostResponse:
    """Replace a post: omitted optional fields take their defaults."""
    post = await PostService(db).update(
        post_id, data.model_dump(), user_id=current_user.id
    )
    if post is None:
        raise not_found(LABEL)
    return PostResponse.model_validate(post)


@router.patch("/{post_id}", responses={**MALFORMED, **NOT_FOUND, **CONFLICT})
async def update_post(
    post_id: RowId, data: PostUpdate, db: SessionDep, current_user: CurrentUser
) -> PostResponse:
    """Change only the fields sent."""
    values = data.model_dump(exclude_unset=True)
    post = await PostService(db).update(post_id, values, user_id=current_user.id)
    if post is None:
        raise not_found(LABEL)
    return PostResponse.model_validate(post)


@router.delete(
    "/{post_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND
)
async def delete_post(
    post_id: RowId, db: SessionDep, current_user: CurrentUser
) -> None:
    """Delete a post."""
    if not await PostService(db).delete(post_id, user_id=current_user.id):
        raise not_found(LABEL)
