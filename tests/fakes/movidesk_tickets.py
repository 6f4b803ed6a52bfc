"""The Movidesk fake's ticket records and the content it generates for them (deterministic per id and version)."""

import random
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from tests.fakes.movidesk_odata import TICKS_PER_SECOND, datetime_from_ticks

STATUSES = [
    ("Novo", "New"),
    ("Em atendimento", "InAttendance"),
    ("Aguardando cliente", "Stopped"),
    ("Resolvido", "Resolved"),
    ("Fechado", "Closed"),
    ("Cancelado", "Canceled"),
]
TEAMS = ["Suporte N1", "Suporte N2", "Financeiro", "Implantação"]
URGENCIES = ["Baixa", "Média", "Alta", "Urgente"]
CATEGORIES = ["Dúvida", "Problema", "Solicitação", "Sugestão"]
TOPICS = ["Erro na integração", "Nota fiscal", "Acesso ao portal", "Boleto", "Relatório", "Senha"]
AGENTS = [("101", "Ana Souza"), ("102", "Bruno Lima"), ("103", "Carla Dias"), ("104", "Diego Rocha")]


@dataclass(slots=True)
class StoredTicket:
    id: int
    last_update: int  # ticks, UTC
    created: int
    version: int = 0
    body: dict[str, Any] | None = None  # explicit fields, over the generated ones
    sparse: bool = False  # serve only `body` (+ id, lastUpdate): optional fields missing
    extra: dict[str, Any] | None = None  # unknown fields, served whatever is selected (a newer API)


def generated_document(ticket: StoredTicket) -> dict[str, Any]:
    rng = random.Random(ticket.id * 7919 + ticket.version)
    category, topic = rng.choice(CATEGORIES), rng.choice(TOPICS)
    status, base_status = rng.choice(STATUSES)
    agent_id, agent_name = rng.choice(AGENTS)
    client_id = 5000 + ticket.id % 300
    organization_id = 9000 + ticket.id % 40
    return {
        "protocol": f"{ticket.id:010d}" if ticket.id % 3 else None,
        "type": 2,
        "subject": f"{topic} #{ticket.id}" + (f" (atualização {ticket.version})" if ticket.version else ""),
        "category": category,
        "urgency": rng.choice(URGENCIES),
        "status": status,
        "baseStatus": base_status,
        "justification": None,
        "origin": 9,
        "ownerTeam": rng.choice(TEAMS),
        "serviceFirstLevel": "Sistema",
        "tags": [category.lower()],
        "createdDate": ticket.created,
        "lastActionDate": ticket.last_update,
        "owner": {
            "id": agent_id,
            "personType": 1,
            "profileType": 1,
            "businessName": agent_name,
            "email": f"agente{agent_id}@exemplo.com.br",
            "phone": None,
        },
        "clients": [
            {
                "id": str(client_id),
                "personType": 1,
                "profileType": 2,
                "businessName": f"Cliente {client_id}",
                "email": f"cliente{client_id}@exemplo.com.br",
                "phone": None,
                "isDeleted": False,
                "organization": {
                    "id": str(organization_id),
                    "personType": 2,
                    "profileType": 2,
                    "businessName": f"Empresa {organization_id} Ltda",
                },
            }
        ],
    }


def render_date(ticks: int, zone: ZoneInfo) -> str:
    """Movidesk's format: no zone, up to 7 fractional digits, trailing zeros dropped."""
    local = datetime_from_ticks(ticks - ticks % TICKS_PER_SECOND).astimezone(zone)
    fraction = f"{ticks % TICKS_PER_SECOND:07d}".rstrip("0")
    return local.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if fraction else "")
