"""A fake Kommo (amoCRM) API v4 holding many accounts, on a real HTTP server.

Routing is by path: `http://127.0.0.1:PORT/{subdomain}/api/v4/...` and `/{subdomain}/oauth2/access_token`,
so the product reaches it with `KOMMO_BASE_URL=http://127.0.0.1:PORT/{subdomain}`.

What it reproduces (docs/EXTERNAL_APIS.md §2): HAL envelopes (`_embedded`, `_links.next`, `_page`), 204 with
no body for an empty list, `limit` ≤ 250, array creates with `request_id` echoed, problem+json
`validation-errors` per request_id (the whole array refused), batch PATCH of custom fields, single-object
PATCH of pipelines and stages, 142/143 protected, 50 pipelines / 100 stages limits, `enums` in a PATCH
replacing the option list, 429 past `rate_limit` requests in one second of one account (counted per second
so tests can assert the rate was never exceeded), a 403 ban after too many 429s, 401 on an expired or
unknown token, rotating single-use refresh tokens (a used one is `invalid_grant`), long-lived tokens.

In pytest:  fake = KommoFake(); acme = fake.account("acme"); tokens = fake.issue_tokens(acme) ...
Standalone: python -m tests.fakes.kommo --port 8103 (the demo data set).
"""

import argparse
import json
import re
import secrets
import threading
import time
from collections.abc import Iterator
from typing import Any

from tests.fakes.kommo_accounts import (
    FIELD_TYPES,
    MAX_PIPELINES,
    MAX_STAGES,
    PALETTE,
    SELECT_TYPES,
    FakeAccount,
    next_id,
)
from tests.fakes.server import FakeRequest, FakeResponse, FakeServer

CLIENT_ID = "fake-client-id"
CLIENT_SECRET = "fake-client-secret"
HAL = "application/hal+json"
PROBLEM = "application/problem+json"
SYSTEM = (142, 143)


class Invalid(Exception):
    def __init__(self, errors: list[dict[str, Any]], status: int = 400, detail: str = "Request validation failed"):
        super().__init__(detail)
        self.errors, self.status, self.detail = errors, status, detail


def problem(status: int, detail: str, errors: list[dict[str, Any]] | None = None) -> FakeResponse:
    titles = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}
    body: dict[str, Any] = {
        "title": titles.get(status, "Error"),
        "type": f"https://httpstatus.es/{status}",
        "status": status,
        "detail": detail,
    }
    if errors:
        body["validation-errors"] = errors
    return FakeResponse(status, json.dumps(body), {"Content-Type": PROBLEM})


def hal(payload: dict[str, Any], status: int = 200) -> FakeResponse:
    return FakeResponse(status, json.dumps(payload), {"Content-Type": HAL, "X-Request-Id": secrets.token_hex(6)})


def item_error(request_id: Any, path: str, detail: str, code: str = "InvalidValue") -> dict[str, Any]:
    return {"request_id": str(request_id), "errors": [{"code": code, "path": path, "detail": detail}]}


class KommoFake:
    def __init__(self, *, rate_limit: int = 7, ban_after: int = 50, token_lifetime: int = 86400) -> None:
        self.accounts: dict[str, FakeAccount] = {}
        self.rate_limit = rate_limit
        self.ban_after = ban_after
        self.token_lifetime = token_lifetime
        self.refresh_delay = 0.0  # seconds a refresh takes (to make concurrent refreshes overlap)
        self.codes: dict[str, str] = {}  # authorization code → subdomain
        self.salesbot_calls: list[tuple[str, dict[str, Any]]] = []
        self.lock = threading.RLock()

    # --- test API ------------------------------------------------------------------------------

    def account(self, subdomain: str) -> FakeAccount:
        with self.lock:
            return self.accounts.setdefault(subdomain, FakeAccount(subdomain))

    def issue_tokens(self, account: FakeAccount, lifetime: int | None = None) -> dict[str, Any]:
        with self.lock:
            access, refresh = f"at-{secrets.token_hex(8)}", f"def50{secrets.token_hex(8)}"
            account.access_tokens[access] = time.time() + (self.token_lifetime if lifetime is None else lifetime)
            account.refresh_tokens.add(refresh)
            return {"token_type": "Bearer", "expires_in": self.token_lifetime if lifetime is None else lifetime,
                    "access_token": access, "refresh_token": refresh, "server_time": int(time.time())}  # fmt: skip

    def issue_code(self, subdomain: str) -> str:
        code = f"code-{secrets.token_hex(6)}"
        self.codes[code] = subdomain
        return code

    def expire_access_tokens(self, account: FakeAccount) -> None:
        with self.lock:
            account.access_tokens = {token: 0.0 for token in account.access_tokens}

    def revoke(self, account: FakeAccount) -> None:
        """The user disconnected the integration: every token of the account stops working."""
        with self.lock:
            account.access_tokens.clear()
            account.refresh_tokens.clear()

    def reset_counters(self) -> None:
        with self.lock:
            for account in self.accounts.values():
                account.per_second.clear()
                account.requests.clear()
                account.over_limit = 0

    # --- the wire ------------------------------------------------------------------------------

    def handle(self, request: FakeRequest) -> FakeResponse:
        match = re.match(r"^/([a-z0-9-]+)(/.*)$", request.path)
        if not match or match[1] not in self.accounts:
            return FakeResponse(404, "Account not found", {"Content-Type": "text/html"})
        account, path = self.accounts[match[1]], match[2]
        with self.lock:
            second = int(time.time())
            account.per_second[second] += 1
            if account.banned:
                return problem(403, "Account API access is blocked")
            if account.per_second[second] > self.rate_limit:
                account.over_limit += 1
                account.banned = account.over_limit > self.ban_after
                return FakeResponse(429, "Too Many Requests", {"Content-Type": "text/html", "Retry-After": "1"})
        if path == "/oauth2/access_token" and request.method == "POST":
            return self._token(account, request)
        if not self._authorized(account, request):
            return problem(401, "Unauthorized")
        with self.lock:
            account.requests[request.method] += 1
            fault = next((f for f in account.faults if f.matches(request.method, path)), None)
            if fault is not None:
                account.faults.remove(fault)
                return fault.response()
            base = f"{request.headers.get('host', '')}/{account.subdomain}"
            try:
                return self._route(account, request, path, base)
            except Invalid as error:
                return problem(error.status, error.detail, error.errors)

    def _authorized(self, account: FakeAccount, request: FakeRequest) -> bool:
        header = request.headers.get("authorization", "")
        token = header[7:] if header.startswith("Bearer ") else ""
        with self.lock:
            if token in account.long_lived_tokens:
                return True
            expires = account.access_tokens.get(token)
            return expires is not None and expires > time.time()

    def _token(self, account: FakeAccount, request: FakeRequest) -> FakeResponse:
        try:
            body = request.json()
        except ValueError:
            return problem(400, "Invalid JSON")
        if body.get("client_id") != CLIENT_ID or body.get("client_secret") != CLIENT_SECRET:
            return FakeResponse(
                401,
                json.dumps({"hint": "Client authentication failed", "title": "Unauthorized", "status": 401}),
                {"Content-Type": PROBLEM},
            )
        grant = body.get("grant_type")
        if grant == "authorization_code":
            if self.codes.pop(str(body.get("code")), None) != account.subdomain:
                return FakeResponse(
                    400,
                    json.dumps(
                        {
                            "hint": "Authorization code has expired",
                            "title": "Bad Request",
                            "status": 400,
                            "detail": "invalid_grant",
                        }
                    ),
                    {"Content-Type": PROBLEM},
                )
            return FakeResponse.json(self.issue_tokens(account))
        if grant != "refresh_token":
            return problem(400, "unsupported_grant_type")
        time.sleep(self.refresh_delay)
        with self.lock:
            presented = str(body.get("refresh_token"))
            if presented not in account.refresh_tokens:
                account.burned_grants += 1
                return FakeResponse(
                    400,
                    json.dumps(
                        {
                            "hint": "Token has been revoked",
                            "title": "Bad Request",
                            "status": 400,
                            "detail": "invalid_grant",
                        }
                    ),
                    {"Content-Type": PROBLEM},
                )
            account.refresh_tokens.discard(presented)  # single use
            account.refreshes += 1
            return FakeResponse.json(self.issue_tokens(account))

    # --- API v4 --------------------------------------------------------------------------------

    def _route(self, account: FakeAccount, request: FakeRequest, path: str, base: str) -> FakeResponse:
        method = request.method
        parts = [p for p in path.split("/") if p][2:]  # after api/v4
        if parts[:2] == ["leads", "pipelines"]:
            return self._pipelines(account, request, parts[2:], base)
        if len(parts) >= 2 and parts[0] in account.fields and parts[1] == "custom_fields":
            return self._fields(account, request, parts[0], parts[2:], base)
        if parts[:1] == ["salesbot"] and method == "POST":
            self.salesbot_calls.append((path, request.json()))
            return FakeResponse.json({"success": True})
        return problem(404, "Not found")

    def _render_stage(self, account: FakeAccount, pipeline: dict[str, Any], stage: dict[str, Any]) -> dict[str, Any]:
        return {
            **stage,
            "is_editable": stage["id"] not in SYSTEM,
            "pipeline_id": pipeline["id"],
            "account_id": account.account_id,
        }

    def _render_pipeline(self, account: FakeAccount, pipeline: dict[str, Any], base: str) -> dict[str, Any]:
        stages = sorted(pipeline["statuses"].values(), key=lambda s: (s["sort"], s["id"]))
        data = {k: v for k, v in pipeline.items() if k != "statuses"}
        return {**data, "account_id": account.account_id, "_links": {"self": {"href": f"http://{base}/api/v4/leads/pipelines/{pipeline['id']}"}},
                "_embedded": {"statuses": [self._render_stage(account, pipeline, s) for s in stages]}}  # fmt: skip

    def _new_stages(
        self, pipeline: dict[str, Any], items: Any, prefix: str = ""
    ) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        if not isinstance(items, list):
            raise Invalid([], detail="Expected an array")
        errors = []
        for index, item in enumerate(items):
            rid = item.get("request_id", index)
            if item.get("id") in SYSTEM:
                continue
            if not str(item.get("name") or "").strip():
                errors.append(item_error(rid, f"{prefix}{index}.name", "This value should not be blank.", "NotBlank"))
            if item.get("color") and item["color"] not in PALETTE:
                errors.append(
                    item_error(
                        rid,
                        f"{prefix}{index}.color",
                        "The value you selected is not a valid choice.",
                        "NotSupportedChoice",
                    )
                )
        if errors:
            raise Invalid(errors)
        for item in items:
            if item.get("id") in SYSTEM:
                pipeline["statuses"][item["id"]]["name"] = item.get("name") or pipeline["statuses"][item["id"]]["name"]
                continue
            stage = {
                "id": next_id(),
                "name": item["name"],
                "sort": int(item.get("sort", 10)),
                "color": item.get("color") or PALETTE[0],
                "type": 0,
            }
            yield item, stage

    def _pipelines(self, account: FakeAccount, request: FakeRequest, rest: list[str], base: str) -> FakeResponse:
        method = request.method
        if not rest:
            if method == "GET":
                if not account.pipelines:
                    return FakeResponse(204)
                items = [self._render_pipeline(account, p, base) for p in account.pipelines.values()]
                return hal(
                    {
                        "_total_items": len(items),
                        "_links": {"self": {"href": f"http://{base}/api/v4/leads/pipelines"}},
                        "_embedded": {"pipelines": items},
                    }
                )
            if method == "POST":
                body = request.json()
                if not isinstance(body, list):
                    raise Invalid([], detail="Expected an array")
                if len(account.pipelines) + len(body) > MAX_PIPELINES:
                    raise Invalid(
                        [
                            item_error(p.get("request_id", i), f"{i}", "Pipelines limit exceeded", "LimitExceeded")
                            for i, p in enumerate(body)
                        ]
                    )
                created = []
                for index, item in enumerate(body):
                    if not str(item.get("name") or "").strip():
                        raise Invalid(
                            [
                                item_error(
                                    item.get("request_id", index), f"{index}.name", "This value should not be blank."
                                )
                            ]
                        )
                    pipeline = {
                        "id": next_id(),
                        "name": item["name"],
                        "sort": int(item.get("sort", 10)),
                        "is_main": False,
                        "is_unsorted_on": bool(item.get("is_unsorted_on")),
                        "is_archive": False,
                        "statuses": {},
                    }
                    pipeline["statuses"][142] = {
                        "id": 142,
                        "name": "Closed - won",
                        "sort": 10000,
                        "color": "#ccff66",
                        "type": 0,
                    }
                    pipeline["statuses"][143] = {
                        "id": 143,
                        "name": "Closed - lost",
                        "sort": 11000,
                        "color": "#d5d8db",
                        "type": 0,
                    }
                    stages = list(
                        self._new_stages(
                            pipeline,
                            (item.get("_embedded") or {}).get("statuses") or [],
                            f"{index}._embedded.statuses.",
                        )
                    )
                    if len(stages) + 2 > MAX_STAGES:
                        raise Invalid(
                            [
                                item_error(
                                    item.get("request_id", index),
                                    f"{index}",
                                    "Statuses limit exceeded",
                                    "LimitExceeded",
                                )
                            ]
                        )
                    created.append((item, pipeline, stages))
                result = []
                for item, pipeline, stages in created:
                    for _given, stage in stages:
                        pipeline["statuses"][stage["id"]] = stage
                    account.pipelines[pipeline["id"]] = pipeline
                    if item.get("is_main"):
                        self._make_main(account, pipeline["id"])
                    result.append(
                        {**self._render_pipeline(account, pipeline, base), "request_id": item.get("request_id")}
                    )
                return hal({"_total_items": len(result), "_embedded": {"pipelines": result}})
        pipeline = account.pipelines.get(int(rest[0])) if rest[0].isdigit() else None
        if pipeline is None:
            return problem(404, "Pipeline not found")
        if len(rest) == 1:
            if method == "GET":
                return hal(self._render_pipeline(account, pipeline, base))
            if method == "PATCH":
                body = request.json()
                if not isinstance(body, dict):
                    raise Invalid([], detail="Batch update of pipelines is not supported")
                for key in ("name", "sort", "is_unsorted_on"):
                    if key in body:
                        pipeline[key] = body[key]
                if body.get("is_main"):
                    self._make_main(account, pipeline["id"])
                return hal(self._render_pipeline(account, pipeline, base))
            if method == "DELETE":
                del account.pipelines[pipeline["id"]]
                return FakeResponse(204)
        if rest[1] == "statuses":
            return self._stages(account, pipeline, request, rest[2:], base)
        return problem(404, "Not found")

    def _make_main(self, account: FakeAccount, pipeline_id: int) -> None:
        for other in account.pipelines.values():
            other["is_main"] = other["id"] == pipeline_id

    def _stages(
        self, account: FakeAccount, pipeline: dict[str, Any], request: FakeRequest, rest: list[str], base: str
    ) -> FakeResponse:
        method = request.method
        if not rest:
            if method == "GET":
                stages = [self._render_stage(account, pipeline, s) for s in pipeline["statuses"].values()]
                return hal({"_total_items": len(stages), "_embedded": {"statuses": stages}})
            if method == "POST":
                body = request.json()
                new = list(self._new_stages(pipeline, body))
                if len(pipeline["statuses"]) + len(new) > MAX_STAGES:
                    raise Invalid(
                        [
                            item_error(given.get("request_id", i), f"{i}", "Statuses limit exceeded", "LimitExceeded")
                            for i, (given, _s) in enumerate(new)
                        ]
                    )
                result = []
                for given, stage in new:
                    pipeline["statuses"][stage["id"]] = stage
                    result.append(
                        {**self._render_stage(account, pipeline, stage), "request_id": given.get("request_id")}
                    )
                return hal({"_total_items": len(result), "_embedded": {"statuses": result}})
        stage_id = int(rest[0]) if rest and rest[0].isdigit() else -1
        stage = pipeline["statuses"].get(stage_id)
        if stage is None:
            return problem(404, "Status not found")
        if stage_id in SYSTEM and method in ("PATCH", "DELETE"):
            return problem(
                400, "Status is not editable", [item_error(0, "id", "System status cannot be changed", "NotEditable")]
            )
        if method == "PATCH":
            body = request.json()
            if not isinstance(body, dict):
                raise Invalid([], detail="Batch update of statuses is not supported")
            if body.get("color") and body["color"] not in PALETTE:
                raise Invalid(
                    [item_error(0, "color", "The value you selected is not a valid choice.", "NotSupportedChoice")]
                )
            for key in ("name", "sort", "color"):
                if key in body:
                    stage[key] = body[key]
            return hal(self._render_stage(account, pipeline, stage))
        if method == "DELETE":
            del pipeline["statuses"][stage_id]
            return FakeResponse(204)
        return hal(self._render_stage(account, pipeline, stage))

    def _render_field(self, account: FakeAccount, entity: str, item: dict[str, Any], base: str) -> dict[str, Any]:
        return {**item, "account_id": account.account_id, "entity_type": entity,
                "_links": {"self": {"href": f"http://{base}/api/v4/{entity}/custom_fields/{item['id']}"}}}  # fmt: skip

    def _enums(
        self, given: Any, current: list[dict[str, Any]] | None, rid: Any, index: int
    ) -> list[dict[str, Any]] | None:
        if given is None:
            return current
        known = {e["id"]: e for e in current or []}
        result = []
        for position, option in enumerate(given):
            if option.get("id") is not None and option["id"] not in known:
                raise Invalid([item_error(rid, f"{index}.enums.{position}.id", "Enum not found", "NotFound")])
            if not str(option.get("value") or "").strip():
                raise Invalid(
                    [item_error(rid, f"{index}.enums.{position}.value", "This value should not be blank.", "NotBlank")]
                )
            result.append(
                {
                    "id": option.get("id") or next_id(),
                    "value": option["value"],
                    "sort": int(option.get("sort") or position + 1),
                }
            )
        return result  # the complete list: options left out are gone

    def _fields(
        self, account: FakeAccount, request: FakeRequest, entity: str, rest: list[str], base: str
    ) -> FakeResponse:
        method, fields = request.method, account.fields[entity]
        if not rest and method == "GET":
            limit = int(request.query.get("limit") or 50)
            page = int(request.query.get("page") or 1)
            if limit > 250 or limit < 1:
                raise Invalid([], detail="limit must be between 1 and 250")
            ordered = sorted(fields.values(), key=lambda f: (f["sort"], f["id"]))
            chunk = ordered[(page - 1) * limit : page * limit]
            if not chunk:
                return FakeResponse(204)
            links = {"self": {"href": f"http://{base}/api/v4/{entity}/custom_fields?page={page}&limit={limit}"}}
            if page * limit < len(ordered):
                links["next"] = {"href": f"http://{base}/api/v4/{entity}/custom_fields?page={page + 1}&limit={limit}"}
            items = [self._render_field(account, entity, f, base) for f in chunk]
            return hal(
                {"_total_items": len(ordered), "_page": page, "_links": links, "_embedded": {"custom_fields": items}}
            )
        if not rest and method in ("POST", "PATCH"):
            body = request.json()
            if not isinstance(body, list):
                raise Invalid([], detail="Expected an array")
            return self._fields_write(account, entity, body, method, base)
        field_id = int(rest[0]) if rest and rest[0].isdigit() else -1
        item = fields.get(field_id)
        if item is None:
            return problem(404, "Custom field not found")
        if method == "DELETE":
            del fields[field_id]
            return FakeResponse(204)
        if method == "PATCH":
            body = request.json()
            if not isinstance(body, dict) or "id" in body:
                raise Invalid([item_error(0, "id", "This field was not expected.", "ExtraField")])
            return self._fields_write(account, entity, [{**body, "id": field_id}], "PATCH", base, single=True)
        return hal(self._render_field(account, entity, item, base))

    def _fields_write(
        self, account: FakeAccount, entity: str, body: list[Any], method: str, base: str, single: bool = False
    ) -> FakeResponse:
        fields, errors, staged = account.fields[entity], [], []
        for index, given in enumerate(body):
            rid = given.get("request_id", index)
            try:
                if method == "POST":
                    if given.get("type") not in FIELD_TYPES:
                        raise Invalid(
                            [
                                item_error(
                                    rid,
                                    f"{index}.type",
                                    "The value you selected is not a valid choice.",
                                    "NotSupportedChoice",
                                )
                            ]
                        )
                    if not str(given.get("name") or "").strip():
                        raise Invalid([item_error(rid, f"{index}.name", "This value should not be blank.", "NotBlank")])
                    if given["type"] in SELECT_TYPES and not given.get("enums"):
                        raise Invalid(
                            [
                                item_error(
                                    rid, f"{index}.enums", "This collection should contain 1 element or more.", "Count"
                                )
                            ]
                        )
                    item = {
                        "id": next_id(),
                        "name": given["name"],
                        "type": given["type"],
                        "code": given.get("code"),
                        "sort": int(given.get("sort", 500)),
                        "is_predefined": False,
                        "is_deletable": True,
                        "enums": self._enums(given.get("enums"), None, rid, index),
                    }
                else:
                    current = fields.get(int(given.get("id") or 0))
                    if current is None:
                        raise Invalid([item_error(rid, f"{index}.id", "Custom field not found", "NotFound")])
                    if "type" in given and given["type"] != current["type"]:
                        raise Invalid(
                            [item_error(rid, f"{index}.type", "The type of a field cannot be changed", "NotEditable")]
                        )
                    item = {**current, **{k: given[k] for k in ("name", "sort") if k in given}}
                    item["enums"] = self._enums(given.get("enums"), current.get("enums"), rid, index)
                staged.append((rid, item))
            except Invalid as error:
                errors.extend(error.errors)
        if errors:
            raise Invalid(errors)
        result = []
        for rid, item in staged:
            fields[item["id"]] = item
            rendered = self._render_field(account, entity, item, base)
            result.append(rendered if single else {**rendered, "request_id": rid})
        if single:
            return hal(result[0])
        return hal({"_total_items": len(result), "_embedded": {"custom_fields": result}})


# --- demo ----------------------------------------------------------------------------------------

DEMO_TOKEN = "demo-long-lived-token"
DEMO_MASTER = "demo-mestre"
DEMO_REPLICAS = ("demo-filial-sp", "demo-filial-rj", "demo-filial-bh", "demo-filial-poa")


def demo_fake() -> KommoFake:
    """A master with two pipelines and a few fields, four replicas (one already has an extra pipeline)."""
    fake = KommoFake()
    master = fake.account(DEMO_MASTER)
    master.add_pipeline("Vendas", ["Primeiro contato", "Proposta", "Negociação"], sort=10, is_main=True)
    master.add_pipeline("Pós-venda", ["Onboarding", "Acompanhamento"], sort=20)
    master.add_field("leads", "Origem", "select", ["Site", "Indicação", "Evento"], sort=10)
    master.add_field("leads", "Valor estimado", "numeric", sort=20)
    master.add_field("contacts", "Cargo", "text", sort=10)
    master.add_field("companies", "Segmento", "select", ["Varejo", "Indústria", "Serviços"], sort=10)
    for subdomain in (DEMO_MASTER, *DEMO_REPLICAS):
        fake.account(subdomain).long_lived_tokens.add(DEMO_TOKEN)
    fake.account(DEMO_REPLICAS[-1]).add_pipeline("Funil antigo", ["Lead frio"], sort=90)
    return fake


def _demo_changes(fake: KommoFake, every_seconds: float, stop: threading.Event) -> None:
    """Every so often the master's admin renames a stage, so the next sync has something to propagate."""
    names = ("Negociação", "Em negociação")
    turn = 0
    while not stop.wait(every_seconds):
        with fake.lock:
            master = fake.accounts[DEMO_MASTER]
            for pipeline in master.pipelines.values():
                for stage in pipeline["statuses"].values():
                    if stage["name"] == names[turn % 2]:
                        stage["name"] = names[(turn + 1) % 2]
        turn += 1


def demo_handler() -> Any:
    fake = demo_fake()
    threading.Thread(target=_demo_changes, args=(fake, 300.0, threading.Event()), daemon=True).start()
    return fake.handle


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake Kommo API v4 (demo data set)")
    parser.add_argument("--port", type=int, default=8103)
    args = parser.parse_args()
    server = FakeServer(demo_handler(), port=args.port)
    print(f"Kommo fake on {server.url}/{{subdomain}} — accounts: {DEMO_MASTER}, {', '.join(DEMO_REPLICAS)}")  # noqa: T201
    server.serve_forever()


if __name__ == "__main__":
    main()
