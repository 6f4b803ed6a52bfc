"""The invoice pipeline's demo for `make run`: a few accounts at each carrier, this month's and last
month's processes, and real runs against the RPA simulator. A demo schedule (only with DEMO_SIMULATORS)
then plays the approver every minute, so invoices are seen downloaded, waiting for approval and going to
SAT without anyone clicking; every step is a real run or a real transition in the ledger."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orchestration.invoices.models import Carrier, CarrierAccount, InvoiceProcess, InvoiceStatus
from orchestration.invoices.months import month_current
from orchestration.invoices.services.downloads import DOWNLOADS_KIND
from orchestration.invoices.services.machine import Actor
from orchestration.invoices.services.processes import invoice_approve, invoice_processes_create
from orchestration.invoices.services.sat import invoices_to_sat_run
from orchestration.models import Execution, Role, Trigger, User
from orchestration.services.executions import execution_create
from orchestration.services.periodic_tasks import PeriodicTaskWanted, periodic_tasks_sync

DEMO_SCHEDULE_NAME = "Faturas: demonstração com o simulador RPA"
DEMO_STEP_TASK = "invoices.demo_step"
DEMO_EVERY_SECONDS = 60
DEMO_ACCOUNTS = [
    # legal name, CNPJ (valid), carrier, unit, service
    ("Padaria Pão Quente Ltda (demo)", "11222333000181", "VIVO", "Matriz", "Telefonia fixa"),
    ("Padaria Pão Quente Ltda (demo)", "11222333000181", "VIVO", "Filial Centro", "Internet"),
    ("Transportes Rápido Sul S.A. (demo)", "11444777000161", "OI", "Matriz", "Telefonia móvel"),
    ("Clínica Bem Viver Ltda (demo)", "45997418000153", "EMBRATEL", "Matriz", "Link dedicado"),
    ("Escola Saber Mais Ltda (demo)", "60701190000104", "DIGITALNET", "Sede", "Internet"),
    ("Mercado Bom Preço Ltda (demo)", "33000167000101", "VIVO", "Loja 2", "Telefonia fixa"),
]


def demo_accounts_write() -> list[CarrierAccount]:
    carriers = {carrier.code: carrier for carrier in Carrier.objects.all()}
    accounts = []
    for legal_name, cnpj, code, unit, service in DEMO_ACCOUNTS:
        account = CarrierAccount.objects.filter(cnpj=cnpj, carrier=carriers[code], unit=unit, service=service).first()
        if account is None:
            account = CarrierAccount(
                legal_name=legal_name,
                sat_name=legal_name.upper(),
                cnpj=cnpj,
                carrier=carriers[code],
                unit=unit,
                service=service,
                filter=unit,
                sat_data=f"SAT;{cnpj};{unit}",
                portal_login=f"demo.{code.lower()}",
                portal_password="senha-demo",  # noqa: S106 - the simulator accepts anything
            )
            account.save()
        accounts.append(account)
    return accounts


def invoices_demo_write(user: User | None) -> Execution | None:
    """The accounts, two months of processes and one download run queued for the worker; None when the
    demo is already there."""
    if CarrierAccount.objects.filter(legal_name__endswith="(demo)").exists():
        return None
    demo_accounts_write()
    this_month = month_current(timezone.localdate())
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    for month in (last_month, this_month):
        invoice_processes_create(month=month)
    from orchestration.invoices.tasks import download_invoices

    actor = Actor(user=user, ip="127.0.0.1", user_agent="load_demo", trigger=Trigger.MANUAL)
    execution = execution_create(
        kind=DOWNLOADS_KIND, parameters={"carrier": "", "month": ""}, **actor.execution_fields()
    )
    download_invoices.delay_on_commit(trigger=Trigger.MANUAL, execution_id=execution.pk)
    return execution


def invoices_demo_step() -> str:
    """Plays the demo approver: approves the oldest invoice waiting for approval, then sends the approved
    ones to SAT. Does nothing when a real RPA server is configured."""
    if settings.RPA_API_URL or not settings.DEMO_SIMULATORS:
        return ""
    approver = User.objects.filter(role=Role.APPROVER, is_active=True, email__endswith="@orquestra.local").first()
    said = []
    waiting = (
        InvoiceProcess.objects.filter(status=InvoiceStatus.AWAITING_APPROVAL, account__legal_name__endswith="(demo)")
        .order_by("updated_at")
        .first()
    )
    if waiting is not None and approver is not None:
        invoice_approve(process=waiting, actor=Actor(user=approver, ip="127.0.0.1", user_agent="demo"))
        said.append(_("aprovada: %(process)s") % {"process": waiting})
    if InvoiceProcess.objects.filter(status=InvoiceStatus.AWAITING_SAT_UPLOAD).exists():
        with transaction.atomic():
            run = invoices_to_sat_run(trigger=Trigger.SCHEDULE)
        said.append(_("envio ao SAT #%(id)d") % {"id": run.pk})
    return "; ".join(said)


def invoices_demo_schedule_write() -> bool:
    """The demo step's schedule while DEMO_SIMULATORS is on; removed otherwise."""
    wanted = {}
    if settings.DEMO_SIMULATORS:
        wanted[DEMO_SCHEDULE_NAME] = PeriodicTaskWanted(
            task=DEMO_STEP_TASK,
            every_seconds=DEMO_EVERY_SECONDS,
            kwargs={},
            expire_seconds=DEMO_EVERY_SECONDS,
            description="Só com DEMO_SIMULATORS: aprova uma fatura de demonstração por minuto e envia as "
            "aprovadas ao SAT.",
        )
    periodic_tasks_sync(
        prefix=DEMO_SCHEDULE_NAME, wanted=wanted, keep_enabled=True, owns_schedule=False, delete_unwanted=True
    )
    return bool(wanted)
