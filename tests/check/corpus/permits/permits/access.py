"""A permission service with sync and async entry points (the missing-await family).

Modelled on a real project's bug: a @sync_to_async permission check tested without await is
a coroutine, always true, so the check lets everyone through.
"""

import asyncio

from asgiref.sync import async_to_sync, sync_to_async

from .models import Grant

background_tasks = set()


class Access:
    @sync_to_async
    def has_perms(self, user, perms):
        return user.has_perms(perms)

    async def audit(self, user, action):
        await Grant.objects.acreate(user=user, action=action)

    async def allow(self, user, perms):
        if self.has_perms(user, perms):  # expect: AL501
            return True
        if not Grant.objects.filter(user=user).aexists():  # expect: AL501
            return False
        self.audit(user, "allow")  # expect: AL501
        asyncio.create_task(self.audit(user, "seen"))  # expect: AL502
        return self.has_perms(user, perms) == True  # expect: AL501

    async def allow_correctly(self, user, perms):
        if await self.has_perms(user, perms):
            await self.audit(user, "allow")
            return True
        if not await Grant.objects.filter(user=user).aexists():
            return False
        task = asyncio.create_task(self.audit(user, "seen"))
        background_tasks.add(task)
        task.add_done_callback(background_tasks.discard)
        return await self.has_perms(user, perms)

    def allow_sync(self, user, perms):
        self.audit(user, "sync")  # expect: AL501
        return async_to_sync(self.has_perms)(user, perms)

    def pending_audit(self, user):
        return self.audit(user, "later")  # expect: AL501

    def audit_later(self, user):
        # Its callers await what it returns (see deferred below): not a finding.
        return self.audit(user, "deferred")

    async def deferred(self, user):
        await self.audit_later(user)

    async def events(self):
        yield 1

    def __aiter__(self):
        return self.events()
