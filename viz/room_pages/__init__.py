"""The classroom's pages: ``/teach`` (the teacher's room and dashboard) and ``/join`` (a student).

A room is one shared game on the server (:class:`experiments.room.Room`, headless); these pages
are its views only. Every browser session renders from the room's own views
(:meth:`~experiments.room.Room.student_view`, :meth:`~experiments.room.Room.teacher_view`) and
acts through its methods, so two browsers never share anything but the room. Each page watches
its room (:meth:`~experiments.room.Room.watch`) and redraws the moment what it shows changes
(a student's page: its own decision, the talk, the deadline, the next month; the teacher's
dashboard: every decision, at most four redraws a second while a class decides together).

``/teach`` asks for the teacher key (``pausegame app`` prints it, or ``--teacher-key`` gives it;
the server reads ``PAUSEGAME_TEACHER_KEY``), then creates a room (scenario, months, seed,
deadline, what students see of others, a block list for names) and shows its code, join link
and QR code, the dashboard (who has decided, every nation's true action, flags and votes, the
talk) with Start, Next month, Pause, +30 s, End game and Close room, and at the end the debrief
with the grading CSV and the room's log to download. The key stays in the browser session only
(never in the address, which a projector shows); a reload asks for it again and lists the rooms
still open.

``/join`` takes the room code and a display name (and, if the teacher left several open, a
nation) and opens the student's month card; its address then carries the seat's rejoin token,
so a reload (or the link on another device) brings the student back to the same nation. One
browser plays a seat at a time: the link opened in another browser asks once whether to take the
seat over there, and the browser that lost it is told at once and only watches (the teacher's
dashboard lists each takeover).

The pages by job: :mod:`viz.room_pages.common` (the server's rooms, the teacher key, the
pickers, the redraw hook), :mod:`viz.room_pages.student` (``/join`` and the student's month
card), :mod:`viz.room_pages.teacher` (``/teach`` and the dashboard) and
:mod:`viz.room_pages.debrief` (the student's and the teacher's debrief).
"""

from viz.room_pages.common import (
    DASHBOARD_INTERVAL,
    DEADLINES,
    INFORMATION,
    MONTHS,
    NATION_COUNTS,
    NO_SCENARIO,
    PREPARING,
    PROPOSALS,
    ROOM_CSS,
    ROOMS,
    base_url,
    key_ok,
    month_line,
    qr_svg,
    rooms,
    teacher_key,
    use_browser_session,
    use_room_updates,
)
from viz.room_pages.debrief import StudentDebrief, TeacherDebrief
from viz.room_pages.student import (
    JoinPage,
    LastMonth,
    Leave,
    SendMessages,
    StudentCard,
    TakenOver,
    TakeOver,
    Talk,
)
from viz.room_pages.teacher import (
    BlockList,
    Controls,
    Dashboard,
    NewRoom,
    RoomHeader,
    Takeovers,
    TeachPage,
)

__all__ = [
    "DASHBOARD_INTERVAL",
    "DEADLINES",
    "INFORMATION",
    "MONTHS",
    "NATION_COUNTS",
    "NO_SCENARIO",
    "PREPARING",
    "PROPOSALS",
    "ROOMS",
    "ROOM_CSS",
    "BlockList",
    "Controls",
    "Dashboard",
    "JoinPage",
    "LastMonth",
    "Leave",
    "NewRoom",
    "RoomHeader",
    "SendMessages",
    "StudentCard",
    "StudentDebrief",
    "TakeOver",
    "TakenOver",
    "Takeovers",
    "Talk",
    "TeachPage",
    "TeacherDebrief",
    "base_url",
    "key_ok",
    "month_line",
    "qr_svg",
    "rooms",
    "teacher_key",
    "use_browser_session",
    "use_room_updates",
]
