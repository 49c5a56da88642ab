"""Signing in to the API: tokens that expire, a user's own list of them, revoking, logging out.

POST /api/auth/token/         username + password → {"token", "expires"} (200); wrong → 400;
                              during a lock-out (accounts.throttle) → 429 with Retry-After.
GET  /api/auth/tokens/        the caller's live tokens (prefix, created, expires, last used,
                              whether it is the one in use) — never a token itself.
DELETE /api/auth/tokens/<id>/ revoke one of one's own (204); anyone else's is 404.
POST /api/auth/logout/        revokes the token the request came with (or ends the session): 204.
"""

from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from civicgrid.accounts.models import ApiToken
from civicgrid.accounts.throttle import LoginLockedOut, is_locked_out
from civicgrid.accounts.tokens import issue_token, live_tokens

TAGS = ["auth"]


class ErrorDetailSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="The message, in the request's language")


class IssuedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Shown this once; send it as `Authorization: Token …`")
    expires = serializers.DateTimeField(help_text="When the token stops working")


class ApiTokenSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField(help_text="Whether this request came with it")

    class Meta:
        model = ApiToken
        fields = ["id", "prefix", "client", "created_at", "expires_at", "last_used_at", "current"]
        read_only_fields = fields

    def get_current(self, token) -> bool:
        auth = getattr(self.context.get("request"), "auth", None)
        return isinstance(auth, ApiToken) and auth.pk == token.pk


class ObtainTokenView(APIView):
    """Username and password for a new API token (it expires; see GET /api/auth/tokens/)."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = []
    serializer_class = AuthTokenSerializer

    @extend_schema(
        tags=TAGS,
        request=AuthTokenSerializer,
        responses={
            200: IssuedTokenSerializer,
            429: OpenApiResponse(
                ErrorDetailSerializer,
                description="Locked out after too many failures (Retry-After: seconds)",
            ),
        },
        summary="登录,获取 API 令牌",
    )
    def post(self, request):
        # django-axes flags the Django request (not DRF's wrapper), so authenticate() gets that.
        http_request = request._request
        body = AuthTokenSerializer(data=request.data, context={"request": http_request})
        valid = body.is_valid()
        if is_locked_out(http_request):
            raise LoginLockedOut(http_request)
        if not valid:
            raise ValidationError(body.errors)
        user = body.validated_data["user"]
        token, raw = issue_token(user, client=request.META.get("HTTP_USER_AGENT", ""))
        # A login like the others: last_login, and the account's failure count cleared.
        user_logged_in.send(sender=type(user), request=http_request, user=user)
        return Response({"token": raw, "expires": token.expires_at}, status=status.HTTP_200_OK)


class TokenListView(APIView):
    """The caller's own live API tokens, newest first."""

    @extend_schema(tags=TAGS, responses={200: ApiTokenSerializer(many=True)}, summary="我的令牌")
    def get(self, request):
        tokens = live_tokens(request.user)
        return Response(ApiTokenSerializer(tokens, many=True, context={"request": request}).data)


class TokenDetailView(APIView):
    """Revoke one of the caller's own tokens; another user's is not found (404)."""

    @extend_schema(tags=TAGS, responses={204: None}, summary="撤销令牌")
    def delete(self, request, pk):
        token = get_object_or_404(ApiToken, pk=pk, user=request.user)
        token.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutView(APIView):
    """Log out: the token this request came with stops working (log in again for a new one);
    a browser session is ended instead."""

    @extend_schema(tags=TAGS, request=None, responses={204: None}, summary="退出登录")
    def post(self, request):
        if isinstance(request.auth, ApiToken):
            ApiToken.objects.filter(pk=request.auth.pk).delete()
        else:
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)
