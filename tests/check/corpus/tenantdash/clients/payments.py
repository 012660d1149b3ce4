"""Thin wrapper around the payments provider's REST API (Stripe-style)."""
import asyncio
import hashlib
import hmac
import time
import uuid

import httpx
import requests

API_BASE = "https://api.payments.example.com/v1"


class PaymentsError(Exception):
    pass


class PaymentsClient:
    def __init__(self, api_key, base_url=API_BASE, timeout=10):
        self.api_key = api_key
        self.base_url = base_url
        self.timeout = timeout

    def _headers(self, idempotency_key=None):
        headers = {"Authorization": f"Bearer {self.api_key}", "Accept": "application/json"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        return headers

    def create_customer(self, email, name):
        resp = requests.post(
            f"{self.base_url}/customers",
            data={"email": email, "name": name},
            headers=self._headers(uuid.uuid4().hex),
            timeout=self.timeout,
        )
        if resp.status_code >= 400:
            raise PaymentsError(resp.text)
        return resp.json()

    def list_invoices(self, customer_id, limit=100):
        resp = requests.get(
            f"{self.base_url}/invoices",
            params={"customer": customer_id, "limit": limit},
            headers=self._headers(),
            timeout=self.timeout,
        )
        resp.raise_for_status()
        return resp.json()["data"]

    async def acreate_checkout_session(self, customer_id, price_id):
        async with httpx.AsyncClient(base_url=self.base_url, timeout=self.timeout) as client:
            resp = await client.post(
                "/checkout/sessions",
                data={"customer": customer_id, "line_items[0][price]": price_id, "mode": "subscription"},
                headers=self._headers(uuid.uuid4().hex),
            )
        if resp.status_code >= 400:
            raise PaymentsError(resp.text)
        return resp.json()

    async def aretry_invoice(self, invoice_id, attempts=3):
        for attempt in range(attempts):
            async with httpx.AsyncClient(base_url=self.base_url, timeout=self.timeout) as client:
                resp = await client.post(f"/invoices/{invoice_id}/pay", headers=self._headers())
            if resp.status_code < 500:
                return resp.json()
            time.sleep(2**attempt)  # expect: AL202
        raise PaymentsError(f"invoice {invoice_id} still failing after {attempts} attempts")

    async def aget_balance(self):
        for attempt in range(3):
            async with httpx.AsyncClient(base_url=self.base_url, timeout=self.timeout) as client:
                resp = await client.get("/balance", headers=self._headers())
            if resp.status_code != 429:
                return resp.json()
            await asyncio.sleep(1 + attempt)
        raise PaymentsError("rate limited")


def verify_signature(payload, header, secret, tolerance=300):
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    timestamp = int(parts.get("t", "0"))
    if abs(time.time() - timestamp) > tolerance:
        return False
    signed = f"{timestamp}.".encode() + payload
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))
