"""GraphQL endpoint: the REST token authenticates here too, responses are UTF-8 (not
``\\u`` escapes), and GraphiQL is served from our own static files."""

import json

from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request


@method_decorator(csrf_exempt, name="dispatch")
class RegistryGraphQLView(GraphQLView):
    graphiql_template = "api_docs/graphiql.html"

    def dispatch(self, request, *args, **kwargs):
        if request.headers.get("Authorization", "").startswith("Token "):
            try:
                result = TokenAuthentication().authenticate(Request(request))
            except AuthenticationFailed as exc:
                return self._auth_error(request, exc)
            if result:
                request.user = result[0]
        return super().dispatch(request, *args, **kwargs)

    def _auth_error(self, request, exc):
        from django.http import HttpResponse

        body = self.json_encode(request, {"errors": [{"message": str(exc.detail)}]})
        return HttpResponse(body, status=401, content_type="application/json")

    def json_encode(self, request, d, pretty=False):
        if not (self.pretty or pretty) and not request.GET.get("pretty"):
            return json.dumps(d, separators=(",", ":"), ensure_ascii=False)
        return json.dumps(d, sort_keys=True, indent=2, ensure_ascii=False)
