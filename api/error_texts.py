"""Titles of every error code, in Vietnamese and English. The app switches on the code."""

from __future__ import annotations

import re

from domain.org.model import Locale

TITLES: dict[str, tuple[str, str]] = {
    # framework and protocol
    "unauthenticated": ("Cần đăng nhập", "Authentication required"),
    "validation_failed": ("Dữ liệu gửi lên không hợp lệ", "The request data is invalid"),
    "payload_too_large": ("Dữ liệu gửi lên quá lớn", "The request body is too large"),
    "not_found": ("Không tìm thấy", "Not found"),
    "id_conflict": (
        "Mã định danh đã được dùng; hãy tạo mã mới",
        "This id is already in use; generate a new one",
    ),
    "method_not_allowed": ("Phương thức không được hỗ trợ", "Method not allowed"),
    "bad_request": ("Yêu cầu không hợp lệ", "Bad request"),
    "internal_error": (
        "Lỗi hệ thống, vui lòng thử lại sau",
        "Internal error, please try again later",
    ),
    "idempotency_key_invalid": (
        "Idempotency-Key không hợp lệ (8-200 ký tự A-Z a-z 0-9 . _ : -)",
        "Invalid Idempotency-Key (8-200 characters of A-Z a-z 0-9 . _ : -)",
    ),
    "idempotency_key_reused": (
        "Idempotency-Key đã được dùng cho một yêu cầu khác",
        "This Idempotency-Key was used for a different request",
    ),
    "idempotency_request_in_flight": (
        "Yêu cầu với Idempotency-Key này đang được xử lý",
        "A request with this Idempotency-Key is still being processed",
    ),
    "invalid_cursor": ("Con trỏ phân trang không hợp lệ", "Invalid pagination cursor"),
    "malformed_json": (
        "Dữ liệu gửi lên không phải JSON hợp lệ (UTF-8)",
        "The body is not valid JSON in UTF-8",
    ),
    "unsupported_media_type": (
        "Dữ liệu phải gửi kèm Content-Type: application/json",
        "The body must be sent with Content-Type: application/json",
    ),
    "nul_character": (
        "Dữ liệu không được chứa ký tự NUL (\\u0000)",
        "Text must not contain the NUL character (\\u0000)",
    ),
    "naive_datetime": (
        "Thời điểm phải ghi kèm múi giờ (RFC 3339, ví dụ +07:00)",
        "Times must carry a UTC offset (RFC 3339, e.g. +07:00)",
    ),
    "date_out_of_range": (
        "Ngày tháng nằm ngoài khoảng cho phép",
        "The date is outside the accepted range",
    ),
    "concurrent_change": (
        "Dữ liệu vừa được thay đổi đồng thời, vui lòng thử lại",
        "This was changed concurrently; please retry",
    ),
    "database_unavailable": (
        "Hệ thống tạm thời không truy cập được dữ liệu, vui lòng thử lại sau ít phút",
        "The database is unavailable for now; please retry in a moment",
    ),
    # login and sessions
    "invalid_credentials": (
        "Số điện thoại hoặc mật khẩu không đúng",
        "Wrong phone number or password",
    ),
    "too_many_login_attempts": (
        "Đăng nhập sai quá nhiều lần, vui lòng thử lại sau",
        "Too many failed logins, please try again later",
    ),
    "refresh_token_invalid": ("Phiên đăng nhập không hợp lệ", "Invalid refresh token"),
    "refresh_token_reused": (
        "Phiên đăng nhập đã bị thu hồi do mã làm mới bị dùng lại",
        "Session revoked: the refresh token was used twice",
    ),
    "session_expired": ("Phiên đăng nhập đã hết hạn", "The session has expired"),
    "account_disabled": ("Tài khoản đã bị khóa", "The account is disabled"),
    "session_not_found": ("Không tìm thấy phiên đăng nhập", "Session not found"),
    "password_too_short": ("Mật khẩu quá ngắn", "The password is too short"),
    "password_too_common": (
        "Mật khẩu quá phổ biến hoặc dễ đoán, vui lòng chọn mật khẩu khác",
        "The password is too common or easy to guess, please choose another",
    ),
    "password_contains_personal_info": (
        "Mật khẩu không được chứa số điện thoại hoặc họ tên của đồng chí",
        "The password must not contain your phone number or name",
    ),
    "password_unchanged": (
        "Mật khẩu mới phải khác mật khẩu hiện tại",
        "The new password must differ from the current one",
    ),
    "password_change_required": (
        "Đồng chí cần đổi mật khẩu tạm thời trước khi tiếp tục",
        "Please change your temporary password before going on",
    ),
    "current_password_wrong": ("Mật khẩu hiện tại không đúng", "The current password is wrong"),
    "invalid_phone": ("Số điện thoại không hợp lệ", "Invalid phone number"),
    # organisation
    "org_manage_forbidden": (
        "Đồng chí không có quyền quản lý tổ chức này",
        "You may not manage this part of the organisation",
    ),
    "unit_not_found": ("Không tìm thấy tổ chức đảng", "Unit not found"),
    "unit_exists": ("Tổ chức đảng đã tồn tại", "The unit already exists"),
    "root_unit_immovable": (
        "Không thể di chuyển tổ chức cấp cao nhất",
        "The root unit cannot move",
    ),
    "unit_move_cycle": (
        "Không thể chuyển tổ chức vào bên trong chính nó",
        "A unit cannot move inside its own subtree",
    ),
    "cell_cannot_have_children": (
        "Chi bộ không thể có tổ chức trực thuộc",
        "A cell cannot have child units",
    ),
    "unit_inactive": ("Tổ chức đảng đã ngừng hoạt động", "The unit is inactive"),
    "unit_has_active_children": (
        "Tổ chức còn đơn vị trực thuộc đang hoạt động",
        "The unit still has active child units",
    ),
    "unit_has_members": ("Chi bộ còn đảng viên sinh hoạt", "The cell still has members"),
    "unit_not_cell": ("Đơn vị này không phải chi bộ", "This unit is not a cell"),
    "person_not_found": ("Không tìm thấy người này", "Person not found"),
    "phone_taken": ("Số điện thoại đã được dùng", "The phone number is already in use"),
    "cannot_deactivate_self": (
        "Không thể tự khóa tài khoản của mình",
        "You cannot disable yourself",
    ),
    "membership_not_found": ("Không tìm thấy thông tin sinh hoạt đảng", "Membership not found"),
    "membership_exists": ("Đảng viên đã sinh hoạt tại chi bộ này", "Already a member of this cell"),
    "membership_already_ended": (
        "Đảng viên đã chuyển sinh hoạt",
        "The membership has already ended",
    ),
    "membership_dates_invalid": (
        "Ngày chuyển đi phải sau ngày bắt đầu sinh hoạt",
        "The leaving date must not precede the joining date",
    ),
    "exempt_resolution_date_required": (
        "Miễn sinh hoạt cần có ngày quyết định",
        "An exemption needs the date of its resolution",
    ),
    "grant_not_found": ("Không tìm thấy phân quyền", "Role grant not found"),
    "grant_exists": ("Phân quyền này đã có", "This role grant already exists"),
    "grant_already_revoked": ("Phân quyền đã bị thu hồi", "The role grant is already revoked"),
    "last_admin": (
        "Không thể bỏ quản trị viên cuối cùng của đơn vị: hãy cấp quyền quản trị cho người khác",
        "Cannot remove the unit's last administrator: grant the admin role to someone else first",
    ),
    "assignment_not_found": ("Không tìm thấy phân công theo dõi", "Leader assignment not found"),
    "assignment_exists": (
        "Đã phân công theo dõi chi bộ này",
        "The leader already follows this cell",
    ),
    "assignment_already_ended": ("Phân công đã kết thúc", "The assignment has already ended"),
    "assignment_dates_invalid": (
        "Ngày kết thúc phải sau ngày bắt đầu",
        "The end date must not precede the start date",
    ),
    "leader_grant_required": (
        "Người này không phải lãnh đạo của cấp trên chi bộ",
        "This person does not lead a unit above the cell",
    ),
    # meetings
    "version_mismatch": (
        "Dữ liệu đã được người khác sửa, hãy tải lại",
        "Someone changed this in the meantime; reload it",
    ),
    "if_match_required": ("Cần gửi kèm If-Match", "If-Match is required"),
    "meeting_not_found": ("Không tìm thấy cuộc họp", "Meeting not found"),
    "petition_received_in_future": (
        "Thời điểm tiếp nhận không thể ở tương lai",
        "The petition cannot be received in the future",
    ),
    "meeting_manage_forbidden": (
        "Đồng chí không có quyền quản lý sinh hoạt của chi bộ này",
        "You may not manage this cell's meetings",
    ),
    "meeting_rule_not_found": ("Chi bộ chưa đặt lịch sinh hoạt", "The cell has no meeting rule"),
    "meeting_rule_invalid": ("Lịch sinh hoạt không hợp lệ", "Invalid meeting rule"),
    "meeting_window_invalid": (
        "Thời gian kết thúc phải sau thời gian bắt đầu (tối đa 12 giờ)",
        "The end must follow the start (12 hours at most)",
    ),
    "meeting_in_future": ("Cuộc họp chưa diễn ra", "The meeting has not happened yet"),
    "meeting_finalized": ("Biên bản đã hoàn tất, chỉ có thể đính chính", "The minutes are final"),
    "meeting_cancelled": ("Cuộc họp đã bị hủy", "The meeting was cancelled"),
    "meeting_already_held": ("Cuộc họp đã diễn ra", "The meeting has already been held"),
    "meeting_not_finalized": ("Biên bản chưa hoàn tất", "The minutes are not final yet"),
    "agenda_required": ("Thông báo cần có nội dung sinh hoạt", "The notice needs an agenda"),
    "chair_or_taker_not_member": (
        "Chủ trì và thư ký phải là đảng viên của chi bộ",
        "The chair and the minute-taker must be members of the cell",
    ),
    "not_on_attendance_sheet": (
        "Người này không có trong danh sách sinh hoạt",
        "This person is not on the attendance sheet",
    ),
    "member_exempt": ("Đảng viên được miễn sinh hoạt", "The member is exempt from meetings"),
    "exempt_is_from_roster": (
        "Miễn sinh hoạt lấy theo quyết định, không đánh dấu tay",
        "Exemption comes from the roster, not from marking",
    ),
    "minutes_incomplete": (
        "Biên bản chưa đủ nội dung để hoàn tất",
        "The minutes are missing what finalising needs",
    ),
    "amendment_empty": ("Đính chính không thay đổi gì", "The amendment changes nothing"),
    "votes_exceed_voters": (
        "Số phiếu biểu quyết vượt quá số đảng viên chính thức có mặt, đồng chí kiểm tra lại",
        "Votes for, against and abstaining exceed the full members present",
    ),
    "regular_meeting_exists": (
        "Chi bộ đã có cuộc sinh hoạt thường kỳ trong tháng này",
        "The cell already has a regular meeting this month",
    ),
    "checkin_code_invalid": ("Mã điểm danh không đúng", "Wrong check-in code"),
    "checkin_code_expired": ("Mã điểm danh đã hết hạn", "The check-in code has expired"),
    "checkin_closed": ("Chưa hoặc đã hết giờ điểm danh", "Check-in is not open"),
    "checkin_too_far": (
        "Đồng chí đang ở xa địa điểm sinh hoạt",
        "You are too far from the meeting",
    ),
    "checkin_forbidden": (
        "Chỉ đảng viên của chi bộ và lãnh đạo phụ trách được điểm danh",
        "Only the cell's members and the leaders over it may check in",
    ),
    "absence_flags_forbidden": (
        "Đồng chí không có quyền xem danh sách đảng viên cần xem xét",
        "You may not read the members flagged for review",
    ),
    "jobs_forbidden": (
        "Chỉ quản trị viên cấp cao nhất được xem các tác vụ định kỳ",
        "Only administrators of the root unit may see the scheduled jobs",
    ),
    "visit_forbidden": (
        "Đồng chí không thể xác nhận lượt dự này",
        "You may not confirm this visit",
    ),
    "not_a_leader_of_cell": (
        "Người này không phải lãnh đạo phụ trách chi bộ",
        "This person does not lead above this cell",
    ),
    # inspections
    "inspection_not_found": ("Không tìm thấy cuộc kiểm tra", "Inspection not found"),
    "inspection_plan_forbidden": (
        "Đồng chí không có quyền lập kế hoạch kiểm tra đơn vị này",
        "You may not plan inspections of this unit",
    ),
    "inspection_team_only": ("Chỉ thành viên đoàn kiểm tra được làm việc này", "Team only"),
    "inspection_lead_only": ("Chỉ trưởng đoàn được làm việc này", "Lead inspector only"),
    "inspection_status_invalid": (
        "Cuộc kiểm tra không ở trạng thái cho phép việc này",
        "The inspection's status does not allow this",
    ),
    "inspection_window_invalid": (
        "Thời gian kết thúc phải sau thời gian bắt đầu",
        "The end must follow the start",
    ),
    "inspection_tasks_open": ("Còn việc khắc phục chưa hoàn thành", "Follow-up tasks are open"),
    "inspector_double_booked": (
        "Cán bộ kiểm tra đã có lịch trùng thời gian",
        "An inspector is already booked in that window",
    ),
    "template_not_found": ("Không tìm thấy mẫu phiếu kiểm tra", "Checklist template not found"),
    "template_manage_forbidden": (
        "Chỉ cấp đã ban hành mẫu phiếu (hoặc cấp trên) được sửa mẫu này",
        "Only the unit that owns this template (or one above it) may revise it",
    ),
    "template_unit_required": (
        "Đồng chí lập kế hoạch kiểm tra ở nhiều đơn vị: hãy chọn đơn vị ban hành mẫu phiếu",
        "You plan inspections in several units: name the unit that owns the template",
    ),
    "checklist_items_invalid": ("Danh mục nội dung kiểm tra không hợp lệ", "Invalid checklist"),
    "checklist_item_unknown": ("Không có nội dung này trong phiếu", "No such checklist item"),
    "checklist_incomplete": (
        "Chưa trả lời đủ các nội dung bắt buộc",
        "Required checklist items are unanswered",
    ),
    "answer_invalid": ("Câu trả lời không hợp lệ", "Invalid answer"),
    "answer_photo_required": ("Nội dung này cần ảnh minh chứng", "This item needs a photo"),
    "inspection_overlaps": (
        "Đơn vị đã có cuộc kiểm tra trùng thời gian",
        "The unit already has an inspection in an overlapping window",
    ),
    "plan_without_working_days": (
        "Thời gian kế hoạch không có ngày làm việc nào",
        "The plan period has no working day",
    ),
    "plan_period_invalid": ("Thời gian kế hoạch không hợp lệ", "Invalid plan period"),
    "plan_without_targets": ("Không có chi bộ nào để kiểm tra", "The plan has no targets"),
    "plan_without_inspectors": ("Kế hoạch chưa có cán bộ kiểm tra", "The plan has no inspectors"),
    "plan_unstaffed": (
        "Không đủ cán bộ kiểm tra rảnh cho mọi cuộc kiểm tra",
        "Not enough free inspectors for every visit",
    ),
    "plan_kind_invalid": (
        "Kiểm tra đột xuất không lập theo kế hoạch",
        "Surprise inspections are not planned in campaigns",
    ),
    "sealed_log_forbidden": (
        "Chỉ cấp trên của người tạo được xem nhật ký này",
        "Only the creator's superiors may read this log",
    ),
    "roster_invalid": ("Danh sách có dòng không hợp lệ", "The roster has invalid rows"),
    "roster_not_csv": ("Tệp danh sách phải là CSV mã hóa UTF-8", "The roster must be UTF-8 CSV"),
    # reassigning and extending tasks
    "task_plan_forbidden": (
        "Chỉ người đứng đầu đơn vị hoặc người nghiệm thu được giao lại hoặc gia hạn việc",
        "Only the unit's head or a verifier, never the assignee, may reassign or extend a task",
    ),
    "assignee_unchanged": (
        "Việc đã được giao cho đồng chí này",
        "The task is already assigned to this person",
    ),
    "due_date_not_later": (
        "Hạn mới phải sau hạn hiện tại",
        "The new due date must be later than the current one",
    ),
    "change_reason_required": ("Cần nêu lý do thay đổi", "A reason for the change is required"),
    # tasks, petitions and the working calendar
    "task_not_found": ("Không tìm thấy việc cần khắc phục", "Task not found"),
    "task_manage_forbidden": (
        "Đồng chí không có quyền giao việc cho đơn vị này",
        "You may not manage this unit's tasks",
    ),
    "task_status_invalid": (
        "Việc này không ở trạng thái cho phép thao tác này",
        "The task's status does not allow this",
    ),
    "task_assignee_only": (
        "Chỉ người được giao việc được làm việc này",
        "Only the task's assignee may do this",
    ),
    "task_verify_forbidden": (
        "Chỉ cán bộ kiểm tra hoặc lãnh đạo phụ trách (không phải người được giao) được xác nhận",
        "Only an inspector or leader over the unit, not the assignee, may verify the task",
    ),
    "evidence_note_required": ("Cần ghi rõ kết quả khắc phục", "The evidence needs a note"),
    "evidence_required": (
        "Cần đính kèm minh chứng hoặc nêu lý do không có minh chứng",
        "Attach evidence or say why there is none",
    ),
    "explanation_required": (
        "Cần nêu lý do không thể khắc phục",
        "Say why the task cannot be resolved",
    ),
    "transferee_required": ("Cần ghi rõ nơi chuyển đến", "Say where the task was transferred"),
    "return_reason_required": ("Cần nêu lý do trả lại", "Say why the task is returned"),
    "petition_not_found": ("Không tìm thấy phản ánh, kiến nghị", "Petition not found"),
    "petition_reply_required": (
        "Cần có văn bản trả lời nêu rõ người đứng đầu chịu trách nhiệm",
        "The petition needs a written reply naming the responsible head first",
    ),
    "petition_already_replied": (
        "Phản ánh, kiến nghị đã được trả lời",
        "The petition has already been replied to",
    ),
    "petition_not_replied": (
        "Phản ánh, kiến nghị chưa được trả lời",
        "The petition has not been replied to yet",
    ),
    "reply_text_required": ("Văn bản trả lời cần có nội dung", "The reply needs a text"),
    "reply_head_required": (
        "Văn bản trả lời cần nêu họ tên và chức vụ người đứng đầu",
        "The reply must name the responsible head and their title",
    ),
    "calendar_manage_forbidden": (
        "Chỉ quản trị viên cấp cao nhất được sửa lịch ngày nghỉ, ngày làm bù",
        "Only administrators of the root unit may change the days off",
    ),
    # attachments and the calendar feed
    "attachment_not_found": ("Không tìm thấy tệp đính kèm", "Attachment not found"),
    "attachment_type_not_allowed": (
        "Chỉ nhận ảnh JPEG, PNG, HEIC hoặc tệp PDF",
        "Only JPEG, PNG or HEIC images and PDF files are accepted",
    ),
    "attachment_too_large": ("Tệp đính kèm quá lớn", "The attachment is too large"),
    "attachment_upload_forbidden": (
        "Đồng chí không có quyền đính kèm tệp cho đơn vị này",
        "You may not attach files to this unit",
    ),
    "calendar_token_not_found": (
        "Liên kết lịch không tồn tại hoặc đã bị thu hồi",
        "This calendar link does not exist or was revoked",
    ),
    # notifications
    "device_not_found": ("Không tìm thấy thiết bị", "Device not found"),
    "device_conflict": (
        "Thiết bị đang được đăng ký đồng thời, vui lòng thử lại",
        "The device is being registered concurrently, please retry",
    ),
    "notification_not_found": ("Không tìm thấy thông báo", "Notification not found"),
    "notification_preferences_not_found": (
        "Không tìm thấy cài đặt thông báo",
        "Notification preferences not found",
    ),
    "notification_preferences_conflict": (
        "Cài đặt thông báo đang được lưu đồng thời, vui lòng thử lại",
        "The notification preferences are being saved concurrently, please retry",
    ),
    "quiet_hours_invalid": (
        "Giờ yên lặng phải bắt đầu và kết thúc ở hai thời điểm khác nhau",
        "Quiet hours must start and end at different times",
    ),
    "digest_leaders_only": (
        "Chỉ cán bộ lãnh đạo được nhận bản tin tóm tắt hằng ngày",
        "Only leaders can take the daily digest",
    ),
}

FALLBACK_BY_STATUS: dict[int, str] = {
    400: "bad_request",
    401: "unauthenticated",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    500: "internal_error",
}


def title(code: str, locale: Locale) -> str:
    vi, en = TITLES.get(code, TITLES["bad_request"])
    return en if locale is Locale.EN else vi


_COMPARISONS = {
    ">=": "lớn hơn hoặc bằng",
    "<=": "nhỏ hơn hoặc bằng",
    ">": "lớn hơn",
    "<": "nhỏ hơn",
}
_RFC3339 = {"datetime": "thời điểm", "date": "ngày", "time": "giờ"}
# What msgspec and Litestar say about invalid input (English), in Vietnamese; first match wins.
VALIDATION_TEXTS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), vi)
    for pattern, vi in (
        (r"Validation failed for body", "Nội dung gửi lên không hợp lệ"),
        (r"Validation failed for query", "Tham số truy vấn không hợp lệ"),
        (r"Validation failed for (?P<request>.+)", "Yêu cầu {request} có dữ liệu không hợp lệ"),
        (
            r"Missing required (?P<kind>\w+) parameter '(?P<name>[^']+)' for path .*",
            "Thiếu tham số bắt buộc '{name}' ({kind})",
        ),
        (r"Object missing required field `(?P<field>[^`]+)`", "Thiếu trường bắt buộc `{field}`"),
        (r"Object contains unknown field `(?P<field>[^`]+)`", "Trường `{field}` không được phép"),
        (
            r"Expected `(?P<type>[^`]+)`, got `(?P<got>[^`]+)`",
            "Cần giá trị kiểu `{type}`, nhận được `{got}`",
        ),
        (r"Expected `(?P<type>\w+)` of length >= (?P<n>\d+)", "Cần `{type}` dài ít nhất {n}"),
        (r"Expected `(?P<type>\w+)` of length <= (?P<n>\d+)", "Cần `{type}` dài nhiều nhất {n}"),
        (
            r"Expected `array` of at least length (?P<n>\d+), got \d+",
            "Cần danh sách có ít nhất {n} phần tử",
        ),
        (
            r"Expected `array` of at most length (?P<n>\d+)(, got \d+)?",
            "Cần danh sách có nhiều nhất {n} phần tử",
        ),
        (
            r"Expected `(?P<type>\w+)` (?P<op>>=|<=|>|<) (?P<n>\S+)",
            "Cần `{type}` {op_vi} {n}",
        ),
        (r"Expected `int` that's a multiple of (?P<n>\d+)", "Cần số nguyên là bội của {n}"),
        (r"Expected `str` matching regex (?P<regex>.+)", "Cần chuỗi khớp mẫu {regex}"),
        (r"Expected `\w+` with a timezone component", "Cần thời điểm có múi giờ"),
        (r"Expected `\w+` with no timezone component", "Cần thời điểm không có múi giờ"),
        (r"Expected `(?P<type>[^`]+)`", "Cần giá trị kiểu `{type}`"),
        (r"Invalid RFC3339 encoded (?P<what>datetime|date|time)", "Cần {what_vi} theo RFC 3339"),
        (r"Invalid UUID", "Cần một UUID hợp lệ"),
        (r"Invalid enum value (?P<value>.+)", "Giá trị {value} không nằm trong danh sách cho phép"),
        (r"Integer value out of range", "Số nằm ngoài phạm vi cho phép"),
        (r"Invalid value (?P<value>.+)", "Giá trị {value} không hợp lệ"),
    )
)


def validation_text(text: str, locale: Locale) -> str:
    """A validation detail or field message in the caller's language."""
    if locale is Locale.EN:
        return text
    for pattern, vi in VALIDATION_TEXTS:
        if match := pattern.fullmatch(text):
            words = match.groupdict()
            return vi.format(
                **words,
                op_vi=_COMPARISONS.get(words.get("op") or "", ""),
                what_vi=_RFC3339.get(words.get("what") or "", ""),
            )
    return f"Giá trị không hợp lệ ({text})"
