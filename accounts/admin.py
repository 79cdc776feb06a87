from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, ReadOnlyPasswordHashWidget, UserChangeForm
from django.urls import reverse

from accounts.models import Department, User
from common.admin_history import HistoryWithReasonAdmin, reason_field


@admin.register(Department)
class DepartmentAdmin(HistoryWithReasonAdmin):
    list_display = ["name", "slug", "position", "is_active", "review_months"]
    list_editable = ["position"]
    list_filter = ["is_active"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def has_delete_permission(self, request, obj=None):
        # Definitions point at departments; retire one with "is active" instead.
        return False


class PasswordSummaryWidget(ReadOnlyPasswordHashWidget):
    """The password summary, its button linking to the user's password page by its full address.

    Django's widget links "../password/", right from the change page only: the same form also shows
    the user's earlier versions, one level deeper, where that link led to no page (a 500).
    """

    def __init__(self, password_url: str, attrs=None):
        super().__init__(attrs)
        self.password_url = password_url

    def get_context(self, name, value, attrs):
        return {**super().get_context(name, value, attrs), "password_url": self.password_url}


class UserChangeWithReasonForm(UserChangeForm):
    change_reason = reason_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "password" in self.fields and self.instance.pk:
            url = reverse("admin:auth_user_password_change", args=[self.instance.pk])
            self.fields["password"].widget = PasswordSummaryWidget(url)


class UserCreationWithReasonForm(AdminUserCreationForm):
    change_reason = reason_field()


@admin.register(User)
class UserAdmin(HistoryWithReasonAdmin, DjangoUserAdmin):
    form = UserChangeWithReasonForm
    add_form = UserCreationWithReasonForm
    list_display = ["username", "get_full_name", "email", "department", "is_active", "is_staff"]
    list_filter = ["department", "groups", "is_active", "is_staff"]
    fieldsets = DjangoUserAdmin.fieldsets + (
        ("Department", {"fields": ["department"]}),
        ("Why", {"fields": ["change_reason"]}),
    )
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (
        ("Department", {"fields": ["department"]}),
        ("Why", {"fields": ["change_reason"]}),
    )
