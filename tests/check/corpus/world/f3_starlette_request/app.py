# From a real project: khoj (a FastAPI/Starlette request has no lazy Django user or session).
from fastapi import FastAPI, Request

app = FastAPI()


@app.get("/me")
async def me(request: Request):
    # Starlette's AuthenticationMiddleware set request.user before the endpoint;
    # request.session is SessionMiddleware's cookie dict. Neither touches Django.
    if request.user.is_authenticated:
        return {"name": request.user.display_name, "theme": request.session.get("theme")}
    return {}
