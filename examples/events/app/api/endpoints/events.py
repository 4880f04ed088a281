from typing import Annotated

from fastapi import APIRouter, Query, status

from app.api.deps import (
    CurrentUser,
    Pagination,
    PaginationDep,
    RowId,
    SessionDep,
    not_found,
    owner_scope,
)
from app.core.pagination import next_cursor
from app.schemas.common import CONFLICT, MALFORMED, NOT_FOUND, UNAUTHORIZED
from app.schemas.event import (
    EventCreate,
    EventFilters,
    EventList,
    EventResponse,
    EventUpdate,
)
from app.services.event_service import EventService

router = APIRouter(tags=["events"])

PATH = "/events"
ITEM = "/events/{event_id}"
LABEL = "Event"


@router.post(
    PATH,
    status_code=status.HTTP_201_CREATED,
    responses={**UNAUTHORIZED, **MALFORMED, **CONFLICT},
)
async def create_event(
    data: EventCreate, db: SessionDep, current_user: CurrentUser
) -> EventResponse:
    """Create a event owned by the signed-in user."""
    event = await EventService(db).create(data, user_id=current_user.id)
    return EventResponse.model_validate(event)


@router.get(PATH, responses=UNAUTHORIZED)
async def list_events(
    db: SessionDep,
    page: PaginationDep,
    filters: Annotated[EventFilters, Query()],
    current_user: CurrentUser,
) -> EventList:
    """List the signed-in user's events, filtered and sorted (newest first by default)."""
    return await _page(
        EventService(db), page, filters, user_id=owner_scope(current_user)
    )


@router.get(ITEM, responses={**UNAUTHORIZED, **NOT_FOUND})
async def get_event(
    event_id: RowId, db: SessionDep, current_user: CurrentUser
) -> EventResponse:
    """Get one event."""
    event = await EventService(db).get(event_id, user_id=owner_scope(current_user))
    if event is None:
        raise not_found(LABEL)
    return EventResponse.model_validate(event)


@router.put(ITEM, responses={**UNAUTHORIZED, **MALFORMED, **NOT_FOUND, **CONFLICT})
async def replace_event(
    event_id: RowId, data: EventCreate, db: SessionDep, current_user: CurrentUser
) -> EventResponse:
    """Replace a event: omitted optional fields take their defaults."""
    event = await EventService(db).update(
        event_id, data.model_dump(), user_id=owner_scope(current_user)
    )
    if event is None:
        raise not_found(LABEL)
    return EventResponse.model_validate(event)


@router.patch(ITEM, responses={**UNAUTHORIZED, **MALFORMED, **NOT_FOUND, **CONFLICT})
async def update_event(
    event_id: RowId, data: EventUpdate, db: SessionDep, current_user: CurrentUser
) -> EventResponse:
    """Change only the fields sent."""
    values = data.model_dump(exclude_unset=True)
    event = await EventService(db).update(
        event_id, values, user_id=owner_scope(current_user)
    )
    if event is None:
        raise not_found(LABEL)
    return EventResponse.model_validate(event)


@router.delete(
    ITEM,
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**UNAUTHORIZED, **NOT_FOUND},
)
async def delete_event(
    event_id: RowId, db: SessionDep, current_user: CurrentUser
) -> None:
    """Delete a event."""
    if not await EventService(db).delete(event_id, user_id=owner_scope(current_user)):
        raise not_found(LABEL)


async def _page(
    service: EventService, page: Pagination, filters: EventFilters, user_id: int | None
) -> EventList:
    # One row more than the page: whether there is a next page, without a count.
    rows = await service.get_multi(
        limit=page.limit + 1, cursor=page.cursor, filters=filters, user_id=user_id
    )
    items = rows[: page.limit]
    more = len(rows) > page.limit
    return EventList(
        items=[EventResponse.model_validate(item) for item in items],
        next=next_cursor(items[-1], filters.sort) if more else None,
        total=await service.count(filters, user_id=user_id) if page.total else None,
    )
