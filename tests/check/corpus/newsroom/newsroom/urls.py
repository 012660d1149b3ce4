from django.contrib import admin
from django.urls import path

from articles import views
from live import views as live_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", views.front_page, name="front"),
    path("search/", views.search, name="search"),
    path("archive/", views.ArchiveView.as_view(), name="archive"),
    path("s/<slug:section>/", views.section_index, name="section"),
    path("a/<int:pk>/", views.article_detail, name="article-detail"),
    path("a/<int:pk>/amp/", views.article_amp, name="article-amp"),
    path("a/<int:pk>/view/", views.track_view),
    path("a/<int:pk>/comment/", views.post_comment),
    path("a/<int:pk>/tags/", views.retag_article),
    path("a/<int:pk>/publish/", views.publish_article),
    path("comments/<int:pk>/moderate/", views.moderate_comment),
    path("fragments/sidebar/<int:section_id>/", views.sidebar_fragment),
    path("authors/<int:pk>/", views.author_page, name="author"),
    path("editor/login/", views.editor_login, name="editor-login"),
    path("editor/queue/", views.editor_queue, name="editor-queue"),
    path("live/<slug:slug>/", live_views.live_event_page, name="live-event"),
    path("live/<slug:slug>/post/", live_views.add_live_post),
]
