# From a real project: khoj (Image.open only reads the header).
from io import BytesIO

from PIL import Image


async def screen_size(png: bytes) -> tuple[int, int]:
    # Image.open reads the header only (lazy); no pixel data is decoded
    img = Image.open(BytesIO(png))
    return img.width, img.height
