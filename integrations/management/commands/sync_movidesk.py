"""`manage.py sync_movidesk --from AAAA-MM-DD --to AAAA-MM-DD` (one window of at most 5 days, in the
foreground with a progress bar; `--background` hands it to a worker) and
`manage.py sync_movidesk --since AAAA-MM-DD` (backfill in 5-day windows, resumable)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from integrations.movidesk.backfill import movidesk_backfill_plan, movidesk_backfill_run
from integrations.movidesk.enqueue import movidesk_sync_enqueue
from integrations.movidesk.sync import MovideskPageProgress, MovideskSyncTotals, movidesk_sync_run
from integrations.movidesk.windows import MovideskSyncWindow, window_validate
from orchestration.exceptions import ValidationFailed
from orchestration.interrupts import Interrupted, interruptible
from orchestration.models import Execution, ExecutionStatus, Trigger

FINE = {ExecutionStatus.SUCCEEDED, ExecutionStatus.PARTIAL}


class Command(BaseCommand):
    help = (
        "Sincroniza tickets do Movidesk: uma janela de até 5 dias (--from/--to) ou uma carga histórica "
        "em janelas de 5 dias, retomável (--since)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="date_from", metavar="AAAA-MM-DD", help="primeiro dia (horário local)")
        parser.add_argument("--to", dest="date_to", metavar="AAAA-MM-DD", help="último dia, inclusive")
        parser.add_argument("--since", metavar="AAAA-MM-DD", help="carga histórica desde esta data")
        parser.add_argument("--until", metavar="AAAA-MM-DD", help="com --since: até esta data (padrão: hoje)")
        parser.add_argument("--restart", action="store_true", help="com --since: recomeça do início")
        parser.add_argument("--background", action="store_true", help="com --from/--to: enfileira para um worker")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with interruptible():
                self._dispatch(options)
        except Interrupted as interruption:
            hint = " " + _("Rode o mesmo comando de novo para continuar de onde parou.") if options["since"] else ""
            raise CommandError(interruption.message() + hint, returncode=interruption.exit_code) from None

    def _dispatch(self, options: dict[str, Any]) -> None:
        try:
            if options["since"]:
                if options["date_from"] or options["date_to"] or options["background"]:
                    raise CommandError(_("Use --since sozinho (com --until/--restart), ou --from e --to."))
                self._backfill(options)
            elif options["date_from"] and options["date_to"]:
                if options["until"] or options["restart"]:
                    raise CommandError(_("--until e --restart só valem com --since."))
                self._window(options)
            else:
                raise CommandError(_("Informe --from e --to (até 5 dias) ou --since para a carga histórica."))
        except ValidationFailed as error:
            raise CommandError(str(error)) from None

    def _bar(self, **kwargs: Any) -> tqdm:
        return tqdm(file=self.stderr._out, dynamic_ncols=True, **kwargs)

    def _window(self, options: dict[str, Any]) -> None:
        window = window_validate(options["date_from"], options["date_to"])
        if options["background"]:
            execution = movidesk_sync_enqueue(
                date_from=window.date_from, date_to=window.date_to, trigger=Trigger.MANUAL
            )
            self.stdout.write(
                _("Execução #%(id)d enfileirada para %(window)s.") % {"id": execution.pk, "window": window}
            )
            return
        with self._bar(desc=f"Movidesk {window}", unit=" tickets") as bar:

            def page_done(progress: MovideskPageProgress) -> None:
                bar.update(progress.received)
                bar.set_postfix(página=progress.page, novos=progress.totals.new, atualizados=progress.totals.updated)

            execution = movidesk_sync_run(window=window, trigger=Trigger.MANUAL, on_page=page_done)
        self._report(execution)

    def _backfill(self, options: dict[str, Any]) -> None:
        plan = movidesk_backfill_plan(since=options["since"], until=options["until"], restart=options["restart"])
        backfill = plan.backfill
        if not plan.windows:
            self.stdout.write(
                _("Nada a fazer: a carga desde %(since)s já chegou a %(until)s.")
                % {"since": f"{backfill.since:%d/%m/%Y}", "until": f"{backfill.until:%d/%m/%Y}"}
            )
            return
        if plan.resumed:
            self.stdout.write(
                _("Retomando a partir de %(date)s (%(done)d janelas já feitas).")
                % {"date": f"{backfill.next_date:%d/%m/%Y}", "done": backfill.windows_done}
            )
        with self._bar(desc="Movidesk (carga histórica)", total=len(plan.windows), unit=" janela") as bar:

            def page_done(progress: MovideskPageProgress) -> None:
                bar.set_postfix(tickets=progress.totals.total, novos=progress.totals.new)

            def window_done(window: MovideskSyncWindow, totals: MovideskSyncTotals) -> None:
                bar.update(1)

            execution = movidesk_backfill_run(plan=plan, on_page=page_done, on_window=window_done)
        self._report(execution, resumable=True)

    def _report(self, execution: Execution, resumable: bool = False) -> None:
        counters = execution.counters
        self.stdout.write(
            _(
                "Execução #%(id)d: %(status)s. Páginas: %(pages)d, Novos: %(new)d, Atualizados: %(updated)d, "
                "Inalterados: %(unchanged)d, Total: %(total)d"
            )
            % {
                "id": execution.pk,
                "status": execution.get_status_display(),
                **{name: counters.get(name, 0) for name in ("pages", "new", "updated", "unchanged", "total")},
            }
        )
        if execution.status not in FINE:
            hint = " " + _("Rode o mesmo comando de novo para continuar de onde parou.") if resumable else ""
            reason = execution.error or execution.log_lines.order_by("-id").values_list("message", flat=True).first()
            reason = str(reason or "").rstrip(".")
            raise CommandError(
                _("A sincronização não terminou (%(status)s): %(reason)s.")
                % {"status": execution.get_status_display(), "reason": reason}
                + hint
            )
