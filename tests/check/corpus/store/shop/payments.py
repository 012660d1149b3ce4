from decimal import Decimal

import requests

SESSION = requests.Session()
SESSION.headers["User-Agent"] = "store/1.0"


def fetch_exchange_rate(currency):
    resp = SESSION.get("https://api.exchangerate.host/latest", params={"base": "USD", "symbols": currency}, timeout=5)
    return Decimal(str(resp.json()["rates"][currency]))


def charge_card(customer, amount):
    resp = requests.post("https://pay.example.com/v1/charges", json={"customer": customer.pk, "amount": str(amount)}, timeout=10)
    resp.raise_for_status()
    return resp.json()
