"""What each health check means in the report: its title, the rule of Decision 833 it comes from, the
severity of a failure (and of a warning), and its impact in the admin's words, Vietnamese and English.

Article 24 asks the audit report to list each problem found, how much it affects the unit's work and
the deadline for fixing it; the deadline is computed from the severity (`health_report.DUE_DAYS`).
The daily checks are Appendix III's ("Kiểm tra dịch vụ ..."); the scope settings are Appendix IV,
section II's; Terminal IDs and the approved software Article 15's ("chỉ được cài đặt các ứng dụng
phục vụ cho công tác nghiệp vụ"); the default accounts and the hotfixes Article 4's (change default
passwords before a system goes live; apply the system software's fixes in time); the audit policy
Article 24's (the audit itself: the Decision names no audit log setting). Keys are the check ids
of `health_checks.py`; a check whose meaning depends on the kind of host (`host.reachable`) has
one entry per kind.
"""

from __future__ import annotations

from typing import Any

ARTICLES: dict[str, dict[str, str]] = {
    "article-4": {"vi": "Điều 4", "en": "Article 4"},
    "article-9": {"vi": "Điều 9", "en": "Article 9"},
    "article-15": {"vi": "Điều 15", "en": "Article 15"},
    "article-22": {"vi": "Điều 22", "en": "Article 22"},
    "article-23": {"vi": "Điều 23", "en": "Article 23"},
    "article-24": {"vi": "Điều 24", "en": "Article 24"},
    "appendix-iii": {"vi": "Phụ lục III", "en": "Appendix III"},
    "appendix-iv-ii": {"vi": "Phụ lục IV, mục II", "en": "Appendix IV, section II"},
    # The Ecus6 contingency: Customs Department letter 497/CHQ-CNTT of 26 March 2025.
    "letter-497": {"vi": "Công văn 497/CHQ-CNTT", "en": "Letter 497/CHQ-CNTT"},
}

NO_ADDRESS_VI = "Máy trạm tại Chi cục không nhận được địa chỉ IP, không kết nối được hệ thống VNACCS/VCIS."
NO_ADDRESS_EN = "Workstations at the branch get no IP address and cannot reach VNACCS/VCIS."
NO_UPGRADES_VI = (
    "Máy trạm không tải được bản nâng cấp phần mềm đầu cuối và kết quả báo cáo VCIS-EUC từ Base server."
)
NO_UPGRADES_EN = "Workstations cannot fetch client upgrades and VCIS-EUC report output from the base server."


def _entry(
    article: str,
    severity: str,
    title: tuple[str, str],
    impact: tuple[str, str],
    warning: str | None = None,
) -> dict[str, Any]:
    return {
        "article": article,
        "severity": severity,
        "warning_severity": warning,
        "title": {"vi": title[0], "en": title[1]},
        "impact": {"vi": impact[0], "en": impact[1]},
    }


_UNREACHABLE = ("Không kết nối được máy", "The host cannot be reached")

# (check id, kind or None for any kind) -> its meaning.
CATALOGUE: dict[tuple[str, str | None], dict[str, Any]] = {
    ("host.reachable", "dhcp_server"): _entry(
        "appendix-iii",
        "critical",
        _UNREACHABLE,
        (
            "Không kiểm tra được máy chủ DHCP; nếu máy chủ ngừng hoạt động, "
            "máy trạm không nhận được địa chỉ IP.",
            "The DHCP server cannot be checked; if it is down, workstations get no IP address.",
        ),
    ),
    ("host.reachable", "base_server"): _entry(
        "article-9",
        "critical",
        _UNREACHABLE,
        (
            "Base server không hoạt động liên tục: các Cục dùng chung không nhận được "
            "bản nâng cấp và báo cáo.",
            "The base server is not running continuously: the departments it serves get "
            "no upgrades or reports.",
        ),
    ),
    ("host.reachable", "workstation"): _entry(
        "article-15",
        "medium",
        _UNREACHABLE,
        (
            "Không kiểm tra được máy trạm; máy trạm có thể không kết nối được hệ thống.",
            "The workstation cannot be checked; it may not reach the system.",
        ),
    ),
    ("host.check_error", None): _entry(
        "article-24",
        "high",
        ("Không hoàn tất được việc kiểm tra", "The check could not be completed"),
        (
            "Không đánh giá được việc tuân thủ của máy này.",
            "Compliance of this host cannot be assessed.",
        ),
    ),
    ("dhcp.service_running", None): _entry(
        "appendix-iii",
        "critical",
        ("Dịch vụ DHCP Server không chạy", "The DHCP Server service is not running"),
        (NO_ADDRESS_VI, NO_ADDRESS_EN),
    ),
    ("dhcp.service_automatic", None): _entry(
        "appendix-iii",
        "medium",
        (
            "Dịch vụ DHCP Server không khởi động tự động",
            "The DHCP Server service does not start automatically",
        ),
        (
            "Sau khi khởi động lại máy chủ, dịch vụ cấp địa chỉ IP không tự chạy lại.",
            "After the server restarts, the address service does not come back by itself.",
        ),
    ),
    ("dhcp.scope_present", None): _entry(
        "appendix-iv-ii",
        "critical",
        ("Thiếu phạm vi cấp phát (scope)", "A DHCP scope is missing"),
        (
            "Máy trạm trong mạng của phạm vi này không nhận được địa chỉ IP.",
            "Workstations on this scope's network get no IP address.",
        ),
    ),
    ("dhcp.scope_active", None): _entry(
        "appendix-iv-ii",
        "critical",
        ("Phạm vi cấp phát chưa được kích hoạt", "A DHCP scope is not active"),
        (
            "Phạm vi không cấp địa chỉ: máy trạm không nhận được địa chỉ IP.",
            "The scope leases nothing: workstations get no IP address.",
        ),
    ),
    ("dhcp.scope_settings", None): _entry(
        "appendix-iv-ii",
        "high",
        ("Thông số phạm vi khác với quy định", "A DHCP scope's settings differ from the inventory"),
        (
            "Máy trạm có thể nhận sai dải địa chỉ, cổng mặc định hoặc DNS và mất kết nối.",
            "Workstations may get a wrong range, gateway or DNS server and lose their connection.",
        ),
    ),
    ("dhcp.scope_usage", None): _entry(
        "appendix-iii",
        "critical",
        ("Phạm vi cấp phát sắp hết địa chỉ", "A DHCP scope is running out of addresses"),
        (
            "Máy trạm mới hoặc vừa khởi động lại có thể không nhận được địa chỉ IP.",
            "New or restarted workstations may get no IP address.",
        ),
        warning="medium",
    ),
    ("dhcp.relay_offer", None): _entry(
        "appendix-iv-ii",
        "high",
        (
            "Máy chủ DHCP không cấp địa chỉ qua DHCP relay",
            "The DHCP server makes no offer through the relay",
        ),
        (
            "Máy trạm trong mạng (VLAN) của phạm vi này không nhận được địa chỉ IP hoặc nhận sai "
            "mặt nạ, cổng mặc định qua DHCP relay.",
            "Workstations on this scope's network (VLAN) get no IP address, or a wrong mask or "
            "gateway, through the DHCP relay.",
        ),
    ),
    ("base.share", None): _entry(
        "appendix-iii",
        "high",
        ("Thư mục chia sẻ không đúng", "A share is missing or wrong"),
        (NO_UPGRADES_VI, NO_UPGRADES_EN),
    ),
    ("base.ftp_service_running", None): _entry(
        "appendix-iii",
        "high",
        ("Dịch vụ FTP không chạy", "The FTP service is not running"),
        (NO_UPGRADES_VI, NO_UPGRADES_EN),
    ),
    ("base.ftp_service_automatic", None): _entry(
        "appendix-iii",
        "medium",
        ("Dịch vụ FTP không khởi động tự động", "The FTP service does not start automatically"),
        (
            "Sau khi khởi động lại Base server, dịch vụ FTP không tự chạy lại.",
            "After the base server restarts, FTP does not come back by itself.",
        ),
    ),
    ("base.ftp_port", None): _entry(
        "appendix-iii",
        "high",
        ("Cổng FTP 21 không trả lời", "FTP port 21 does not answer"),
        (NO_UPGRADES_VI, NO_UPGRADES_EN),
    ),
    ("base.disk_free", None): _entry(
        "article-9",
        "high",
        ("Ổ đĩa Base server sắp đầy", "The base server's disk is nearly full"),
        (
            "Base server có thể không lưu được bản nâng cấp và kết quả báo cáo mới.",
            "The base server may be unable to store new upgrades and report output.",
        ),
        warning="medium",
    ),
    ("workstation.dhcp_lease", None): _entry(
        "appendix-iii",
        "high",
        ("Máy trạm không có địa chỉ IP cấp phát hợp lệ", "The workstation has no valid DHCP lease"),
        (
            "Máy trạm không nhận địa chỉ từ máy chủ DHCP của Chi cục; có thể mất kết nối hệ thống.",
            "The workstation has no address from the branch's DHCP server and may lose its connection.",
        ),
    ),
    ("workstation.base_ftp", None): _entry(
        "appendix-iii",
        "high",
        (
            "Máy trạm không kết nối được cổng FTP 21 của Base server",
            "The base server's FTP port does not answer",
        ),
        (NO_UPGRADES_VI, NO_UPGRADES_EN),
    ),
    ("workstation.reboot_task", None): _entry(
        "article-23",
        "high",
        (
            "Thiếu tác vụ khởi động lại hằng ngày hoặc tác vụ sai",
            "The daily restart task is missing or wrong",
        ),
        (
            "Máy trạm không tự khởi động lại hằng ngày nên phần mềm đầu cuối không tự cập nhật.",
            "The workstation does not restart every day, so the customs client does not update itself.",
        ),
        warning="low",
    ),
    ("workstation.last_boot", None): _entry(
        "article-23",
        "medium",
        ("Máy trạm chưa khởi động lại trong 26 giờ qua", "The workstation has not restarted in 26 hours"),
        (
            "Phần mềm đầu cuối chỉ tự cập nhật khi máy khởi động lại: máy có thể chạy phiên bản cũ.",
            "The client updates itself only at start-up: the workstation may be running an old version.",
        ),
    ),
    ("audit.restart_outside_peak", None): _entry(
        "article-22",
        "medium",
        ("Giờ khởi động lại rơi vào giờ cao điểm", "The restart time falls in the peak hours"),
        (
            "Máy trạm khởi động lại trong giờ cao điểm hoặc giờ bảo trì, gián đoạn việc khai báo.",
            "Workstations restart in the peak hours or the maintenance window, interrupting clearance.",
        ),
    ),
    ("base.client_staged", None): _entry(
        "article-9",
        "high",
        ("Base server thiếu bản phần mềm đầu cuối đã phát hành", "The base server lacks the released client"),
        (
            "Máy trạm các Chi cục dùng Base server này không tải được bản nâng cấp phần mềm đầu cuối.",
            "The branches' workstations that use this base server cannot fetch the client upgrade.",
        ),
    ),
    ("workstation.client_version", None): _entry(
        "article-23",
        "high",
        (
            "Máy trạm chưa chạy phiên bản phần mềm đầu cuối đã phát hành",
            "The workstation runs another client version",
        ),
        (
            "Máy trạm dùng phiên bản cũ hoặc chưa cài phần mềm đầu cuối, có thể không khai báo được.",
            "The workstation runs an old client, or none, and may not send declarations.",
        ),
    ),
    ("workstation.terminal_id", None): _entry(
        "article-15",
        "high",
        ("Mã máy trạm trên máy khác với quy định", "The Terminal ID on the host differs from the inventory"),
        (
            "Tham số kết nối sai dẫn tới trao đổi thông tin không chính xác với hệ thống VNACCS/VCIS.",
            "Wrong connection parameters make the exchange with VNACCS/VCIS inaccurate.",
        ),
    ),
    ("switch.reachable", None): _entry(
        "appendix-iv-ii",
        "high",
        ("Không kiểm tra được switch", "The switch cannot be checked"),
        (
            "Không xác định được DHCP relay trên switch; máy trạm trong các VLAN có thể "
            "không nhận được địa chỉ IP.",
            "The switch's DHCP relay is unknown; workstations on its VLANs may get no IP address.",
        ),
    ),
    ("switch.helper_address", None): _entry(
        "appendix-iv-ii",
        "high",
        ("DHCP relay (ip helper-address) sai", "The DHCP relay (ip helper-address) is wrong"),
        (
            "Máy trạm trong VLAN không nhận được địa chỉ IP từ máy chủ DHCP của Chi cục.",
            "Workstations on the VLAN get no IP address from the branch's DHCP server.",
        ),
        warning="low",
    ),
    ("ecus6.reachable", None): _entry(
        "letter-497",
        "high",
        ("Chi cục không truy cập được hệ thống Ecus6", "The branch cannot reach the Ecus6 system"),
        (
            "Khi VNACCS/VCIS gặp sự cố, cán bộ tại Chi cục không tiếp nhận được tờ khai "
            "qua hệ thống dự phòng Ecus6.",
            "When VNACCS/VCIS fails, the branch's officers cannot receive declarations "
            "through the Ecus6 backup.",
        ),
        warning="medium",
    ),
    ("ecus6.mode", None): _entry(
        "letter-497",
        "medium",
        ("Máy trạm không ở chế độ đã chuyển đổi", "The workstation is not in the mode switched to"),
        (
            "Cán bộ có thể khai báo sai hệ thống (VNACCS/VCIS hoặc Ecus6) so với chế độ đang áp dụng.",
            "Officers may send declarations to the wrong system (VNACCS/VCIS or Ecus6) "
            "for the mode in force.",
        ),
    ),
    ("audit.terminal_id_unique", None): _entry(
        "article-15",
        "high",
        ("Trùng Mã máy trạm (Terminal ID)", "A Terminal ID is used twice"),
        (
            "Tham số kết nối trùng lặp dẫn tới trao đổi thông tin không chính xác với hệ thống VNACCS/VCIS.",
            "Duplicated connection parameters make the exchange with VNACCS/VCIS inaccurate.",
        ),
    ),
    ("audit.os_service_pack", None): _entry(
        "article-24",
        "medium",
        ("Hệ điều hành thiếu gói cập nhật (Service Pack)", "The OS lacks its service pack"),
        (
            "Không tuân thủ chính sách an ninh công nghệ thông tin: máy thiếu bản vá bảo mật.",
            "Not compliant with the IT security policy: the host lacks security fixes.",
        ),
    ),
    ("audit.approved_software", None): _entry(
        "article-15",
        "medium",
        ("Máy trạm cài phần mềm ngoài danh mục được phép", "The workstation runs software not approved"),
        (
            "Máy trạm cài hệ thống VNACCS/VCIS chỉ được cài ứng dụng phục vụ nghiệp vụ; phần mềm khác có "
            "thể làm hệ thống chạy sai hoặc mất an toàn.",
            "A VNACCS/VCIS workstation may run only the applications its work needs; other software can "
            "break the client or the workstation's security.",
        ),
    ),
    ("audit.default_accounts", None): _entry(
        "article-4",
        "high",
        (
            "Tài khoản mặc định (Administrator, Guest) chưa được đổi tên hoặc vô hiệu hóa",
            "A built-in account (Administrator, Guest) is neither renamed nor disabled",
        ),
        (
            "Tài khoản mặc định dễ bị đoán và dò mật khẩu, kẻ xấu có thể truy cập trái phép vào máy.",
            "Built-in accounts are easy to guess and attack; an intruder may get into the host.",
        ),
    ),
    ("audit.audit_policy", None): _entry(
        "article-24",
        "medium",
        ("Chính sách ghi nhật ký kiểm toán chưa đạt yêu cầu", "The audit log policy is below the baseline"),
        (
            "Nhật ký Security không ghi lại đăng nhập, thay đổi tài khoản hoặc chính sách: không truy vết "
            "được sự cố an ninh.",
            "The Security log does not record logons, account or policy changes: a security incident "
            "cannot be traced.",
        ),
    ),
    ("audit.hotfixes", None): _entry(
        "article-4",
        "high",
        ("Hệ điều hành thiếu bản vá bắt buộc", "The OS lacks a required hotfix"),
        (
            "Không cập nhật kịp thời bản vá phần mềm hệ thống: máy có thể bị khai thác lỗ hổng bảo mật.",
            "The system software's fixes are not applied in time: the host can be attacked through a "
            "known flaw.",
        ),
    ),
}

# What each check looks at, in neutral words (a finding's title says what is wrong).
NAMES: dict[str, tuple[str, str]] = {
    "host.reachable": ("Kết nối tới máy (WinRM)", "Host reachable (WinRM)"),
    "host.check_error": ("Hoàn tất việc kiểm tra", "Check completed"),
    "dhcp.service_running": ("Dịch vụ DHCP Server đang chạy", "DHCP Server service running"),
    "dhcp.service_automatic": ("Dịch vụ DHCP Server khởi động tự động", "DHCP Server service automatic"),
    "dhcp.scope_present": ("Phạm vi cấp phát có trên máy chủ", "Scope present"),
    "dhcp.scope_active": ("Phạm vi cấp phát đang hoạt động", "Scope active"),
    "dhcp.scope_settings": (
        "Thông số phạm vi (dải, mặt nạ, cổng, DNS)",
        "Scope settings (range, mask, router, DNS)",
    ),
    "dhcp.scope_usage": ("Mức sử dụng phạm vi", "Scope usage"),
    "dhcp.relay_offer": (
        "Cấp địa chỉ qua DHCP relay (thử từ máy điều khiển)",
        "Offer through the relay (probed from the controller)",
    ),
    "base.share": ("Thư mục chia sẻ và đường dẫn", "Share and its path"),
    "base.ftp_service_running": ("Dịch vụ FTP đang chạy", "FTP service running"),
    "base.ftp_service_automatic": ("Dịch vụ FTP khởi động tự động", "FTP service automatic"),
    "base.ftp_port": ("Cổng FTP 21 trả lời (từ máy điều khiển)", "FTP port 21 answers (from the controller)"),
    "base.disk_free": ("Dung lượng trống của ổ đĩa", "Free disk space"),
    "base.client_staged": ("Phiên bản phần mềm đầu cuối trên Base server", "Client versions staged"),
    "workstation.dhcp_lease": (
        "Địa chỉ IP cấp phát trong dải của Chi cục",
        "DHCP lease inside the site's range",
    ),
    "workstation.base_ftp": (
        "Cổng FTP 21 của Base server trả lời (từ máy trạm)",
        "Base server's FTP port 21 answers (from the workstation)",
    ),
    "workstation.client_version": ("Phiên bản phần mềm đầu cuối", "Installed client version"),
    "workstation.reboot_task": ("Tác vụ khởi động lại hằng ngày", "Daily restart task"),
    "workstation.last_boot": ("Lần khởi động gần nhất trong 26 giờ", "Last boot within 26 hours"),
    "workstation.terminal_id": ("Mã máy trạm trên máy", "Terminal ID on the host"),
    "ecus6.reachable": (
        "Truy cập hệ thống Ecus6 từ Chi cục (HTTP)",
        "Ecus6 reachable from the branch (HTTP)",
    ),
    "ecus6.mode": ("Chế độ VNACCS/Ecus6 của máy trạm", "Workstation's VNACCS/Ecus6 mode"),
    "switch.reachable": ("Kết nối tới switch", "Switch reachable"),
    "switch.helper_address": ("DHCP relay (ip helper-address)", "DHCP relay (ip helper-address)"),
    "audit.terminal_id_unique": ("Mã máy trạm không trùng lặp", "Terminal ID unique"),
    "audit.os_service_pack": ("Gói cập nhật hệ điều hành (Service Pack)", "OS service pack"),
    "audit.restart_outside_peak": ("Giờ khởi động lại ngoài giờ cao điểm", "Restart time outside peak hours"),
    "audit.approved_software": ("Phần mềm cài đặt thuộc danh mục được phép", "Installed software approved"),
    "audit.default_accounts": (
        "Tài khoản mặc định đổi tên hoặc vô hiệu hóa",
        "Built-in accounts renamed or disabled",
    ),
    "audit.audit_policy": ("Chính sách ghi nhật ký kiểm toán", "Audit log policy"),
    "audit.hotfixes": ("Bản vá bắt buộc của hệ điều hành", "Required OS hotfixes"),
}


def meaning(check_id: str, kind: str) -> dict[str, Any] | None:
    """The catalogue entry of a check on a host of `kind`, or None for a check that makes no finding."""
    return CATALOGUE.get((check_id, kind)) or CATALOGUE.get((check_id, None))


def name(check_id: str) -> dict[str, str]:
    """What the check looks at, in Vietnamese and English."""
    vi, en = NAMES.get(check_id, (check_id, check_id))
    return {"vi": vi, "en": en}


def article_of(check_id: str, kind: str) -> dict[str, str] | None:
    entry = meaning(check_id, kind)
    ref = entry["article"] if entry is not None else None
    return {"ref": ref, **ARTICLES[ref]} if ref else None
