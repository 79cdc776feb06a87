from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from accounts.models import Department, User
from config.admin_history import HistoryWithReasonAdmin, reason_field


@admin.register(Department)
class DepartmentAdmin(HistoryWithReasonAdmin):
    list_display = ["name", "slug", "position", "is_active"]
    list_editable = ["position"]
    list_filter = ["is_active"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def has_delete_permission(self, request, obj=None):
        # Definitions point at departments; retire one with "is active" instead.
        return False


class UserChangeWithReasonForm(UserChangeForm):
    change_reason = reason_field()


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
