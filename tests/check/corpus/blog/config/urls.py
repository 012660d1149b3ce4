from django.urls import path

from posts import views

urlpatterns = [
    path("", views.post_list, name="post-list"),
    path("p/<slug:slug>/", views.post_detail, name="post-detail"),
    path("p/<slug:slug>/publish/", views.publish_post),
    path("p/<slug:slug>/retag/", views.retag),
    path("p/<slug:slug>/comment/", views.comment_create),
    path("id/<int:pk>/", views.post_by_id),
    path("tags/", views.tag_cloud),
    path("tags/<str:name>/", views.tag_posts),
    path("stats/", views.post_stats),
    path("popular/", views.popular),
    path("export/", views.export_all),
    path("oembed/", views.oembed),
    path("links/<int:pk>/", views.link_check),
    path("archive/<int:year>/", views.PostArchiveView.as_view()),
]
