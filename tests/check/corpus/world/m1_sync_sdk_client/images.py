# From a real project: khoj (a sync OpenAI client in async code, a miss until now).
import openai

client = openai.OpenAI()


def paint(prompt: str) -> str:
    # sync OpenAI client: an HTTP round trip of several seconds
    return client.images.generate(model="dall-e-3", prompt=prompt).data[0].url


async def image_view(request):
    return paint(request.GET["q"])  # expect: AL201
