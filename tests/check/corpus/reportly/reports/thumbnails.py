import io

from PIL import Image

THUMB_SIZE = (320, 200)


def make_thumbnail(src_path, dest_path):
    with Image.open(src_path) as img:
        img = img.convert("RGB")
        img.thumbnail(THUMB_SIZE)
        img.save(dest_path, "JPEG", quality=85)
    return dest_path


async def thumbnail_bytes(data):
    img = Image.open(io.BytesIO(data))
    img = img.convert("RGB")  # expect: AL301
    img.thumbnail(THUMB_SIZE)  # expect: AL301
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=80)
    return out.getvalue()
