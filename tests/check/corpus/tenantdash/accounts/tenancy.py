from accounts.models import Membership, Tenant


def resolve_tenant(host):
    subdomain = host.split(".")[0]
    return Tenant.objects.filter(slug=subdomain).first()


def seat_usage(tenant):
    used = Membership.objects.filter(tenant=tenant).count()
    return used, tenant.seat_limit


def serialize_project(project):
    return {
        "id": project.pk,
        "name": project.name,
        "archived": project.archived,
        "owner_id": project.owner_id,
        "created_at": project.created_at.isoformat() if project.created_at else None,
    }
