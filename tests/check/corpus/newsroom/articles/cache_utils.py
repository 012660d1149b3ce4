from django.core.cache import cache, caches


def article_cache_key(pk):
    return f"article:v3:{pk}"


def get_cached_article_html(pk):
    return cache.get(article_cache_key(pk))


async def invalidate_article(article):
    await cache.adelete(article_cache_key(article.pk))
    await cache.adelete("frontpage:html")
    await caches["fragments"].adelete(f"sidebar:{article.section_id}")
