from urllib.request import urlopen

import urllib3

GATEWAY_HOST = "gateway.example.com"

pool = urllib3.PoolManager(num_pools=4)


def gateway_status():
    with urlopen(f"https://{GATEWAY_HOST}/status", timeout=3) as resp:
        return resp.status
