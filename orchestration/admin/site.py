"""The admin site's titles and its login form (told apart from a wrong password when login is blocked)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from orchestration.admin.login import ThrottleAwareLoginForm

admin.site.site_header = _("Orquestra")
admin.site.site_title = _("Orquestra")
admin.site.index_title = _("Administração")
admin.site.login_form = ThrottleAwareLoginForm
