from django.http import HttpResponse


def home(request):
    return HttpResponse("Comptoir is running.", content_type="text/plain")
