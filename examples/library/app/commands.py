"""Administrative commands, run on the server: `python -m app.commands promote EMAIL`.

Admins are made here and nowhere else: no endpoint can grant the role.
"""

import argparse
import asyncio

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.database import async_session_factory, engine
from app.models import User


async def promote(db: AsyncSession, email: str) -> bool:
    """Make the user with `email` an admin; False if there is no such user."""
    query = (
        update(User)
        # Emails are stored lowercased at registration.
        .where(User.email == email.strip().lower())
        .values(is_superuser=True)
        .returning(User.id)
    )
    promoted = await db.scalar(query)
    await db.commit()
    return promoted is not None


async def _promote(email: str) -> bool:
    try:
        async with async_session_factory() as db:
            return await promote(db, email)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.commands")
    commands = parser.add_subparsers(dest="command", required=True)
    promote_parser = commands.add_parser(
        "promote", help="make a registered user an admin"
    )
    promote_parser.add_argument("email")
    args = parser.parse_args(argv)
    if not asyncio.run(_promote(args.email)):
        parser.exit(1, f"no user with the email {args.email}\n")
    print(f"{args.email} is now an admin")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
