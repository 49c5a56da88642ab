"""三会 REST endpoints: meetings (plan, each step of the run, participants and sign-in, opinions,
motions and votes, minutes and their corrections, outcomes, actions → cases, evaluation scores),
the phone's QR sign-in, training records, coverage and the 基层评议 figures. Every list is scoped
by meetings.services.scope_meetings; every write is a service; a wrong state is a 409."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from civicgrid.accounts.policy import MEETINGS_VIEW_ROLES
from civicgrid.cases.services import IllegalTransition
from civicgrid.core.api import validated_input
from civicgrid.core.openapi import ErrorSerializer
from civicgrid.meetings import services
from civicgrid.meetings.api import serializers as s
from civicgrid.meetings.filters import MeetingFilter, TrainingFilter
from civicgrid.meetings.models import AgreedAction, Meeting, Motion, TrainingRecord


class MeetingReaders(permissions.IsAuthenticated):
    message = gettext_lazy("您的角色无权查看三会")

    def has_permission(self, request, view):
        return (
            super().has_permission(request, view)
            and request.user.effective_role in MEETINGS_VIEW_ROLES
        )


def _conflict(error):
    return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)


def _not_found(message):
    raise exceptions.ValidationError({"detail": [message]})


STEP_RESPONSES = {200: s.MeetingDetailSerializer, 409: ErrorSerializer}


class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """三会会议 of the 居村 the user may see."""

    permission_classes = [MeetingReaders]
    filterset_class = MeetingFilter

    def get_serializer_class(self):
        return s.MeetingDetailSerializer if self.action != "list" else s.MeetingSerializer

    def get_queryset(self):
        queryset = (
            Meeting.objects.select_related("community", "estate", "subject_type")
            .annotate(
                participants_count=Count("participants", distinct=True),
                present_count=Count(
                    "participants",
                    filter=Q(participants__signed_in_at__isnull=False),
                    distinct=True,
                ),
            )
            .order_by("-starts_at", "-id")
        )
        if self.action != "list":
            queryset = queryset.prefetch_related(
                "participants",
                "opinions__participant",
                "minutes",
                "actions__case",
                "scores__rectifications",
            )
        return services.scope_meetings(queryset, self.request.user)

    def _answer(self, meeting, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=meeting.pk)
        return Response(s.MeetingDetailSerializer(fresh).data, status=code)

    def _step(self, function, body_class=None, **extra):
        meeting = self.get_object()
        kwargs = dict(extra)
        if body_class is not None:
            data = validated_input(body_class, self.request)
            kwargs.update(data)
        try:
            function(self.request.user, meeting, **kwargs)
        except IllegalTransition as error:
            return _conflict(error)
        return self._answer(meeting)

    @extend_schema(request=s.PlanSerializer, responses={201: s.MeetingDetailSerializer})
    def create(self, request):
        """Plan a meeting (计划); the notice goes up notice_days ahead."""
        body = s.PlanSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        meeting = services.do_plan_meeting(request.user, **body.validated_data)
        return self._answer(meeting, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def notice(self, request, pk=None, format=None):
        """Publish the notice on the 居村's notice page (at least notice_days ahead)."""
        return self._step(services.do_notice_meeting)

    @extend_schema(request=None, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None, format=None):
        """The meeting is held: opinions and votes are taken from now on."""
        return self._step(services.do_hold_meeting)

    @extend_schema(request=s.MeetingReasonSerializer, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None, format=None):
        return self._step(services.do_cancel_meeting, s.MeetingReasonSerializer)

    @extend_schema(request=s.MeetingTextSerializer, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def minutes(self, request, pk=None, format=None):
        """Write or rewrite the draft minutes."""
        return self._step(services.do_write_minutes, s.MeetingTextSerializer)

    @extend_schema(request=None, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"], url_path="sign-minutes")
    def sign_minutes(self, request, pk=None, format=None):
        """Sign the minutes: immutable from now on."""
        return self._step(services.do_sign_minutes)

    @extend_schema(request=s.MeetingCorrectionSerializer, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"], url_path="correct-minutes")
    def correct_minutes(self, request, pk=None, format=None):
        """A correction of signed minutes: a new signed version linked to the one it corrects."""
        return self._step(services.do_correct_minutes, s.MeetingCorrectionSerializer)

    @extend_schema(request=s.OutcomeSerializer, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None, format=None):
        """The outcome and, for a hearing, its decision."""
        return self._step(services.do_record_outcome, s.OutcomeSerializer)

    @extend_schema(request=None, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None, format=None):
        return self._step(services.do_publish_outcome)

    @extend_schema(request=s.MeetingTextSerializer, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, pk=None, format=None):
        return self._step(services.do_follow_up, s.MeetingTextSerializer)

    @extend_schema(request=s.ParticipantCreateSerializer, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def participants(self, request, pk=None, format=None):
        """Add a participant with their part."""
        return self._step(services.do_add_participant, s.ParticipantCreateSerializer)

    def _participant(self, meeting, pk):
        participant = meeting.participants.filter(pk=pk).first()
        if participant is None:
            _not_found(_("参会人员不存在。"))
        return participant

    @extend_schema(request=s.ParticipantRefSerializer, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"], url_path="tick")
    def tick(self, request, pk=None, format=None):
        """A 居委 worker ticks a participant present."""
        meeting = self.get_object()
        data = validated_input(s.ParticipantRefSerializer, request)
        participant = self._participant(meeting, data["participant"])
        try:
            services.do_tick_sign_in(request.user, participant)
        except IllegalTransition as error:
            return _conflict(error)
        return self._answer(meeting)

    @extend_schema(request=s.OpinionCreateSerializer, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def opinions(self, request, pk=None, format=None):
        meeting = self.get_object()
        data = validated_input(s.OpinionCreateSerializer, request)
        participant = self._participant(meeting, data["participant"])
        try:
            services.do_record_opinion(
                request.user, participant, stance=data["stance"], text=data["text"]
            )
        except IllegalTransition as error:
            return _conflict(error)
        return self._answer(meeting)

    @extend_schema(request=s.MotionSerializer, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def motions(self, request, pk=None, format=None):
        """Put a question to the representatives' vote."""
        return self._step(services.do_add_motion, s.MotionSerializer)

    @extend_schema(request=s.VotesSerializer, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def votes(self, request, pk=None, format=None):
        """The representatives' ballots on a motion: {participant id: for/against/abstain}."""
        meeting = self.get_object()
        data = validated_input(s.VotesSerializer, request)
        motion = Motion.objects.filter(meeting=meeting, pk=data["motion"]).first()
        if motion is None:
            _not_found(_("表决事项不存在。"))
        try:
            services.do_cast_votes(request.user, motion, data["ballots"])
        except IllegalTransition as error:
            return _conflict(error)
        return self._answer(meeting)

    @extend_schema(request=s.ActionCreateSerializer, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def actions(self, request, pk=None, format=None):
        """A coordination meeting's agreed action, its owner and due date."""
        return self._step(services.do_add_action, s.ActionCreateSerializer)

    @extend_schema(request=s.OpenCaseSerializer, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"], url_path="open-case")
    def open_case(self, request, pk=None, format=None):
        """Open a case in the loop for an agreed action."""
        meeting = self.get_object()
        data = validated_input(s.OpenCaseSerializer, request)
        agreed = AgreedAction.objects.filter(meeting=meeting, pk=data["action"]).first()
        if agreed is None:
            _not_found(_("协调事项不存在。"))
        services.do_open_case(request.user, agreed, category=data["category"])
        return self._answer(meeting)

    @extend_schema(request=s.ScoreCreateSerializer, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def scores(self, request, pk=None, format=None):
        """An evaluation's count for one body and item (满意 / 基本满意 / 不满意)."""
        return self._step(services.do_record_score, s.ScoreCreateSerializer)


class SignInView(APIView):
    """QR sign-in (扫码签到): the participant's own account signs itself in."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=s.SignInSerializer,
        responses={200: s.ParticipantSerializer, 409: ErrorSerializer},
    )
    def post(self, request, format=None):
        body = s.SignInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            participant = services.do_sign_in(request.user, body.validated_data["token"])
        except IllegalTransition as error:
            return _conflict(error)
        return Response(s.ParticipantSerializer(participant).data)


class TrainingViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """三会实训 records of the 居村 the user may see."""

    permission_classes = [MeetingReaders]
    serializer_class = s.TrainingSerializer
    filterset_class = TrainingFilter

    def get_queryset(self):
        return services.scope_meetings(
            TrainingRecord.objects.select_related("trainee", "community"), self.request.user
        )

    @extend_schema(request=s.TrainingCreateSerializer, responses={201: s.TrainingSerializer})
    def create(self, request):
        data = validated_input(s.TrainingCreateSerializer, request)
        trainee = (
            get_user_model()
            .objects.filter(
                pk=data.pop("trainee"),
                community__in=services.visible_communities(request.user),
            )
            .first()
        )
        if trainee is None:
            raise exceptions.ValidationError({"trainee": [_("学员不存在或不在您的管辖范围内。")]})
        record = services.do_record_training(request.user, trainee=trainee, **data)
        return Response(s.TrainingSerializer(record).data, status=status.HTTP_201_CREATED)


class CoverageView(APIView):
    """三会实训覆盖率 per 居村."""

    permission_classes = [MeetingReaders]

    @extend_schema(responses={200: s.CoverageSerializer(many=True)})
    def get(self, request, format=None):
        rows = services.training_coverage(services.visible_communities(request.user))
        return Response(
            s.CoverageSerializer(
                [
                    {
                        "community": row["community"].pk,
                        "community_name": row["community"].name,
                        "staff": row["staff"],
                        "trained": row["trained"],
                        "ratio": row["ratio"],
                    }
                    for row in rows
                ],
                many=True,
            ).data
        )


class EvaluationsView(APIView):
    """基层评议: satisfaction per evaluated department and 物业 (published evaluations)."""

    permission_classes = [MeetingReaders]

    @extend_schema(responses={200: s.EvaluationFigureSerializer(many=True)})
    def get(self, request, format=None):
        rows = services.evaluation_figures(services.visible_communities(request.user))
        return Response(s.EvaluationFigureSerializer(rows, many=True).data)
