from django.db import migrations

OLD_CODENAMES = {f"{action}_ticket": f"{action}_movideskticket" for action in ("add", "change", "delete", "view")}


def rename_default_permissions(apps, schema_editor):
    # RenameModel renames the content type, not its default permissions: keep the rows (and the groups and users
    # holding them) under the new model's codenames rather than leaving them behind for fresh duplicates.
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type = ContentType.objects.filter(app_label="integrations", model="movideskticket").first()
    if content_type is None:
        return  # a fresh database: post_migrate creates them with the new codenames
    for old, new in OLD_CODENAMES.items():
        if not Permission.objects.filter(content_type=content_type, codename=new).exists():
            Permission.objects.filter(content_type=content_type, codename=old).update(codename=new)


def restore_default_permissions(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type = ContentType.objects.filter(app_label="integrations", model="ticket").first()
    if content_type is None:
        return
    for old, new in OLD_CODENAMES.items():
        if not Permission.objects.filter(content_type=content_type, codename=old).exists():
            Permission.objects.filter(content_type=content_type, codename=new).update(codename=old)


class Migration(migrations.Migration):

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('integrations', '0001_initial'),
    ]

    operations = [
        migrations.RenameModel(old_name='Ticket', new_name='MovideskTicket'),
        migrations.AlterModelOptions(
            name='movideskticket',
            options={
                'ordering': ['-last_update', '-id'],
                'permissions': [('sync_movideskticket', 'Pode sincronizar tickets do Movidesk')],
                'verbose_name': 'ticket do Movidesk',
                'verbose_name_plural': 'tickets do Movidesk',
            },
        ),
        migrations.RunPython(rename_default_permissions, restore_default_permissions),
    ]
