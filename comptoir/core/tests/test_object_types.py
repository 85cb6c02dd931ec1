"""Every registered object type (the built-in ones and the test-only "projects") passes the
shared per-type tests of core/testing/types.py."""

from comptoir.core.testing.types import (  # noqa: F401 - the fixtures the classes use
    ApiTests,
    ArchiveRestoreTests,
    BulkActionTests,
    CreateDialogTests,
    ExportTests,
    GlobalSearchTests,
    ImportTests,
    ListPageTests,
    PermissionTests,
    QueryBudgetTests,
    RecordPageTests,
    RestoreTests,
    api,
    browser,
    manager,
)


class TestListPage(ListPageTests):
    pass


class TestRecordPage(RecordPageTests):
    pass


class TestCreateDialog(CreateDialogTests):
    pass


class TestBulkAction(BulkActionTests):
    pass


class TestGlobalSearch(GlobalSearchTests):
    pass


class TestPermissions(PermissionTests):
    pass


class TestApi(ApiTests):
    pass


class TestImport(ImportTests):
    pass


class TestArchiveRestore(ArchiveRestoreTests):
    pass


class TestExport(ExportTests):
    pass


class TestQueryBudgets(QueryBudgetTests):
    pass


class TestRestore(RestoreTests):
    pass
