import bz2
import gzip
import io
import json
import os
import zipfile


def build_zip(paths):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in paths:
            zf.write(path, arcname=os.path.basename(path))
    return buf.getvalue()


async def gzip_chunks(chunks):
    out = []
    for chunk in chunks:
        out.append(gzip.compress(chunk))  # expect: AL302
    return out


async def rows_to_gzip_json(rows):
    payload = json.dumps(rows, default=str).encode("utf-8")
    return gzip.compress(payload)


async def bz2_blob(data):
    return bz2.compress(data, 9)  # expect: AL301
