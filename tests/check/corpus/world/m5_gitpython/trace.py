# From a real project: khoj (GitPython runs git in subprocesses, a miss until now).
from git import Repo


async def record(path: str, text: str) -> None:
    repo = Repo.init(path)  # runs `git init` in a subprocess  # expect: AL204
    repo.index.commit(text)  # runs git in a subprocess again  # expect: AL204
