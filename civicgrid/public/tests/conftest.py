import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from civicgrid.accounts.choices import Role
from civicgrid.cases import services as case_services
from civicgrid.cases.models import Category
from civicgrid.cases.notifications import MemoryChannel
from civicgrid.testing.factories import DepartmentFactory, UserFactory, assign_post, make_tree

# A point inside make_tree()'s first micro-grid, and one outside every grid.
IN_MICRO_0 = (121.505, 31.1075)
OUTSIDE = (120.0, 30.0)


@pytest.fixture(autouse=True)
def _quiet(settings):
    settings.CIVICGRID_NOTIFICATION_CHANNELS = ["civicgrid.cases.notifications.MemoryChannel"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    MemoryChannel.outbox = []
    # Rate-limit counters and cached map outlines live in the cache: none from another test.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def tree(db):
    return make_tree()


def ensure_categories():
    """The categories come from a migration; a transactional test elsewhere (without
    serialized_rollback) may have flushed them: seed them again the migration's way then."""
    if not Category.objects.exists():
        from importlib import import_module

        from django.apps import apps

        import_module("civicgrid.cases.migrations.0002_seed_categories").seed(apps, None)


@pytest.fixture
def category(db):
    ensure_categories()
    return Category.objects.get(family="community", code="0101")  # 楼道堆物


@pytest.fixture
def users(tree):
    cg = DepartmentFactory(name="康桥城管中队", code="CG")
    worker = UserFactory(username="wangwei", role=Role.GRID_WORKER, first_name="伟", last_name="王")
    assign_post(worker, tree["micro_grids"][0])
    return {
        "operator": UserFactory(
            username="zhanglei",
            role=Role.OPERATOR,
            is_staff=True,
            first_name="磊",
            last_name="张",
            phone="13611112222",
        ),
        "handler": UserFactory(
            username="liqiang",
            role=Role.DEPT_HANDLER,
            department=cg,
            first_name="强",
            last_name="李",
            phone="13733334444",
        ),
        "worker": worker,
        "resident": UserFactory(
            username="chenmin",
            role=Role.RESIDENT,
            first_name="敏",
            last_name="陈",
            phone="13912345678",
        ),
        "resident2": UserFactory(username="zhouyan", role=Role.RESIDENT, phone="13800001111"),
        "department": cg,
    }


def jpeg_bytes(size=(64, 48), color=(180, 60, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


def photo(data=None, name="louDao.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data if data is not None else jpeg_bytes(), content_type)


def close_case(case, users, *, result="已清理楼道堆放的纸箱和旧家具,通道恢复畅通"):
    """File, dispatch to 城管, accept, handle, verify: the whole loop up to 已结案."""
    op, handler = users["operator"], users["handler"]
    case_services.do_file(case, op, note="内部备注:联系人张磊 13611112222")
    case_services.do_dispatch(case, op, department=users["department"], note="请李强尽快处理")
    case_services.do_accept(case, handler, note="李强已接单")
    case_services.do_handle(case, handler, result=result)
    case_services.do_verify_pass(case, op, note="王伟现场核查通过")
    case.refresh_from_db()
    return case


@pytest.fixture
def media_files(settings):
    """Every file under the (temporary) MEDIA_ROOT, as a fresh list each call."""

    def files():
        root = settings.MEDIA_ROOT
        return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []

    return files
