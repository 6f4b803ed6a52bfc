"""The four carriers of the source system. Created once when missing; editable (and deactivatable) after."""

from django.db import migrations

CARRIERS = [
    # code, name, portal
    ("OI", "Oi", "https://www.oi.com.br/empresas/"),
    ("VIVO", "Vivo", "https://mve.vivo.com.br/"),
    ("EMBRATEL", "Embratel", "https://webebt01.embratel.com.br/"),
    ("DIGITALNET", "DigitalNet", ""),
]


def create_carriers(apps, schema_editor):
    Carrier = apps.get_model("orchestration", "Carrier")
    for code, name, portal in CARRIERS:
        if not Carrier.objects.filter(code=code).exists():
            Carrier.objects.create(code=code, name=name, portal_url=portal, has_rpa=True, is_active=True)


class Migration(migrations.Migration):
    dependencies = [("orchestration", "0007_invoice_pipeline")]

    operations = [migrations.RunPython(create_carriers, migrations.RunPython.noop)]
