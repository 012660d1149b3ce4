import django.dispatch
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.core.mail import mail_admins, send_mail
from django.db.models.signals import post_save
from django.dispatch import receiver

from articles.cache_utils import article_cache_key
from articles.models import Article, Comment

comment_posted = django.dispatch.Signal()


@receiver(post_save, sender=Article)
def article_saved(sender, instance, created, **kwargs):
    cache.delete(article_cache_key(instance.pk))
    cache.delete("frontpage:html")
    if instance.status == "published":
        channel_layer = get_channel_layer()
        async_to_sync(channel_layer.group_send)(
            "newsroom",
            {"type": "presence.published", "article": instance.pk, "title": instance.title},
        )


@receiver(comment_posted)
async def notify_moderators(sender, comment_id, **kwargs):
    comment = await Comment.objects.select_related("article", "user").aget(pk=comment_id)
    mail_admins(f"New comment on {comment.article.title}", comment.body[:500])  # expect: AL206
    pending = await Comment.objects.filter(user=comment.user, approved=False).acount()
    if pending > 5:
        send_mail("Comment queue", f"{comment.user.get_username()} has {pending} pending comments", "newsroom@example.org", ["desk@example.org"])  # expect: AL206
