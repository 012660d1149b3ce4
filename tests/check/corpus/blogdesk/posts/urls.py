from django.urls import path

from . import views

urlpatterns = [
    path("", views.article_list, name="article-list"),
    path("archive/<int:year>/", views.ArchiveView.as_view(), name="archive"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("popular/", views.popular, name="popular"),
    path("stats/", views.stats, name="stats"),
    path("ops/reindex/", views.rebuild_index, name="reindex"),
    path("ops/ping/", views.ping_upstream, name="ping"),
    path("ops/reset-views/", views.reset_views, name="reset-views"),
    path("s/<slug:slug>/", views.section_feed, name="section"),
    path("a/<slug:slug>/", views.article_detail, name="article"),
    path("a/<int:pk>/preview/", views.article_preview, name="preview"),
    path("a/<int:pk>/cover/", views.upload_cover, name="cover"),
    path("a/<int:pk>/notify/", views.notify_subscribers, name="notify"),
    path("a/<int:pk>/comment/", views.add_comment, name="comment"),
    path("a/<int:pk>/publish/", views.ArticlePublishView.as_view(), name="publish"),
    path("a/<int:pk>/moderate/", views.CommentModerationView.as_view(), name="moderate"),
]
