"""``XDM_CONST.<GROUP>_<MEMBER>``: the enum groups the evaluator knows and the string each constant stores.

The stored string is the part after the group prefix: ``XDM_CONST.OUTCOME_SUCCESS`` stores ``"SUCCESS"``,
``XDM_CONST.DB_OPERATION_CREATE`` stores ``"CREATE"``. The Cortex Data Model Schema Guide confirms this
for OUTCOME (its "Original" column reads SUCCESS, FAILED, PARTIAL, UNKNOWN against the "Mapped"
``XDM_CONST.OUTCOME_*``; xql-modeling.md §3), and demisto/content rules agree: SentinelOne writes the
plain strings ``"WINDOWS"`` and ``"NEW_CREDENTIALS"`` into ``xdm.source.host.os_family`` and
``xdm.logon.type`` where other rules write ``XDM_CONST.OS_FAMILY_WINDOWS`` and
``XDM_CONST.LOGON_TYPE_NEW_CREDENTIALS``. For the other groups the rule is [INFER].

A constant whose group is known but whose member is not listed still stores the part after the
prefix, with a warning: the lists hold what the sources below show, and the platform adds members.
A constant of an unknown group stores its whole name, with a warning.

Sources of each list: [DOC] a Cortex documentation page, [ISSUE] issue 15, [CONTENT] names used in
demisto/content modeling rules (the rule named), [SHEET] xql-modeling.md §3/§5.
"""

from __future__ import annotations

# IANA protocol keywords as XSIAM spells them (``-`` becomes ``_``): every member CiscoASA's modeling rule
# (Packs/CiscoASA/ModelingRules/CiscoASA_1_3) maps, plus TCP/UDP/IP from the docs. [CONTENT][DOC]
_IP_PROTOCOLS = (
    "HOPOPT", "ICMP", "IGMP", "GGP", "IP", "ST", "TCP", "CBT", "EGP", "IGP", "BBN_RCC_MON", "NVP_II", "PUP",
    "ARGUS", "EMCON", "XNET", "CHAOS", "UDP", "MUX", "DCN_MEAS", "HMP", "PRM", "XNS_IDP", "TRUNK_1", "TRUNK_2",
    "LEAF_1", "LEAF_2", "RDP", "IRTP", "ISO_TP4", "NETBLT", "MFE_NSP", "MERIT_INP", "DCCP", "3PC", "IDPR",
    "XTP", "DDP", "IDPR_CMTP", "TP", "IL", "IPV6", "SDRP", "IPV6_ROUTE", "IPV6_FRAG", "IDRP", "RSVP", "GRE",
    "DSR", "BNA", "ESP", "AH", "I_NLSP", "SWIPE", "NARP", "MOBILE", "TLSP", "SKIP", "IPV6_ICMP", "IPV6_NONXT",
    "IPV6_OPTS", "CFTP", "SAT_EXPAK", "KRYPTOLAN", "RVD", "IPPC", "SAT_MON", "VISA", "IPCV", "CPNX", "CPHB",
    "WSN", "PVP", "BR_SAT_MON", "SUN_ND", "WB_MON", "WB_EXPAK", "ISO_IP", "VMTP", "SECURE_VMTP", "VINES", "TTP",
    "NSFNET_IGP", "DGP", "TCF", "EIGRP", "OSPFIGP", "SPRITE_RPC", "LARP", "MTP", "AX25", "IPIP", "MICP",
    "SCC_SP", "ETHERIP", "ENCAP", "GMTP", "IFMP", "PNNI", "PIM", "ARIS", "SCPS", "QNX", "AN", "IPCOMP",
    "COMPAQ_PEER", "IPX_IN_IP", "VRRP", "PGM", "L2TP", "DDX", "IATP", "STP", "SRP", "UTI", "SMP", "SM", "PTP",
    "ISIS", "FIRE", "CRTP", "CRUDP", "SSCOPMCE", "IPLT", "SPS", "PIPE", "SCTP", "FC", "RSVP_E2E_IGNORE",
    "MOBILITY", "UDPLITE", "MPLS_IN_IP",
)  # fmt: skip

# Every method MicrosoftEntraID's modeling rule maps (Packs/MicrosoftEntraID/ModelingRules/MicrosoftEntraID). [CONTENT]
_HTTP_METHODS = (
    "ACL", "BASELINE_CONTROL", "BIND", "CHECKIN", "CHECKOUT", "CONNECT", "COPY", "DELETE", "GET", "HEAD",
    "LABEL", "LINK", "LOCK", "MERGE", "MKACTIVITY", "MKCALENDAR", "MKCOL", "MKREDIRECTREF", "MKWORKSPACE",
    "MOVE", "OPTIONS", "ORDERPATCH", "PATCH", "POST", "PRI", "PROPFIND", "PROPPATCH", "PUT", "REBIND", "REPORT",
    "SEARCH", "TRACE", "UNBIND", "UNCHECKOUT", "UNLINK", "UNLOCK", "UPDATE", "UPDATEREDIRECTREF",
    "VERSION_CONTROL",
)  # fmt: skip

# Every response code MicrosoftEntraID's modeling rule maps from the numeric status. [CONTENT]
# Unconfirmed: whether the stored string is the name ("OK") or the number ("200"); the name is assumed.
_HTTP_RESPONSE_CODES = (
    "CONTINUE", "SWITCHING_PROTOCOLS", "PROCESSING", "EARLY_HINTS", "OK", "CREATED", "ACCEPTED",
    "NON__AUTHORITATIVE_INFORMATION", "NO_CONTENT", "RESET_CONTENT", "PARTIAL_CONTENT", "MULTI__STATUS",
    "ALREADY_REPORTED", "IM_USED", "MULTIPLE_CHOICES", "MOVED_PERMANENTLY", "FOUND", "SEE_OTHER", "NOT_MODIFIED",
    "USE_PROXY", "TEMPORARY_REDIRECT", "PERMANENT_REDIRECT", "BAD_REQUEST", "UNAUTHORIZED", "PAYMENT_REQUIRED",
    "FORBIDDEN", "NOT_FOUND", "METHOD_NOT_ALLOWED", "NOT_ACCEPTABLE", "PROXY_AUTHENTICATION_REQUIRED",
    "REQUEST_TIMEOUT", "CONFLICT", "GONE", "LENGTH_REQUIRED", "PRECONDITION_FAILED", "CONTENT_TOO_LARGE",
    "URI_TOO_LONG", "UNSUPPORTED_MEDIA_TYPE", "RANGE_NOT_SATISFIABLE", "EXPECTATION_FAILED", "MISDIRECTED_REQUEST",
    "UNPROCESSABLE_CONTENT", "LOCKED", "FAILED_DEPENDENCY", "TOO_EARLY", "UPGRADE_REQUIRED", "PRECONDITION_REQUIRED",
    "TOO_MANY_REQUESTS", "REQUEST_HEADER_FIELDS_TOO_LARGE", "UNAVAILABLE_FOR_LEGAL_REASONS", "INTERNAL_SERVER_ERROR",
    "NOT_IMPLEMENTED", "BAD_GATEWAY", "SERVICE_UNAVAILABLE", "GATEWAY_TIMEOUT", "HTTP_VERSION_NOT_SUPPORTED",
    "VARIANT_ALSO_NEGOTIATES", "INSUFFICIENT_STORAGE", "LOOP_DETECTED", "NETWORK_AUTHENTICATION_REQUIRED",
)  # fmt: skip

XDM_ENUMS: dict[str, tuple[str, ...]] = {
    "OUTCOME": ("SUCCESS", "FAILED", "PARTIAL", "UNKNOWN"),  # [DOC] schema guide XDM_CONST.OUTCOME
    "USER_TYPE": ("REGULAR", "SERVICE_ACCOUNT", "MACHINE_ACCOUNT"),  # [SHEET]
    "IDENTITY_TYPE": ("MACHINE", "USER", "BUILTIN", "VIRTUAL", "UNKNOWN", "APPLICATION"),  # [SHEET]
    "OPERATION_TYPE": (  # [SHEET]
        "AUTH_LOGIN", "AUTH_MFA", "AUTHENTICATION", "LOGIN", "CREATE", "READ", "UPDATE", "DELETE",
        "COPY", "AUDIT", "STATUS_CHANGE", "MODIFY", "DIR_CREATE", "FILE_WRITE", "IMAGE_LOAD",
        "PROCESS_TERMINATE", "PROCESS_CREATE",
    ),
    "EVENT_TAG": ("AUTHENTICATION", "NETWORK", "CLOUD", "SAAS", "ONPREM"),  # [SHEET]
    "LOG_LEVEL": ("CRITICAL", "ERROR", "WARNING", "INFORMATIONAL", "DEBUG"),  # [SHEET]
    "OS_FAMILY": (  # [SHEET]; MicrosoftEntraID maps every one of them [CONTENT]
        "WINDOWS", "MACOS", "LINUX", "ANDROID", "IOS", "UBUNTU", "DEBIAN", "FEDORA", "CENTOS",
        "CHROMEOS", "SOLARIS", "SCADA",
    ),
    # [SHEET]; the last six: MicrosoftEntraID uses LOGON_TYPE_NEW_CREDENTIALS, and SentinelOne maps Windows logon
    # types to these same strings [CONTENT].
    "LOGON_TYPE": (
        "INTERACTIVE", "SERVICE", "NETWORK", "BATCH", "PROXY", "UNLOCK", "NETWORK_CLEARTEXT", "NEW_CREDENTIALS",
        "REMOTE_INTERACTIVE", "CACHED_INTERACTIVE", "CACHED_REMOTE_INTERACTIVE", "CACHED_UNLOCK",
    ),
    "PRIVILEGE_LEVEL": ("GUEST", "USER", "ADMIN", "SYSTEM"),  # [SHEET]
    "IP_PROTOCOL": _IP_PROTOCOLS,
    "SCOPE_TYPE": ("SAAS",),  # [SHEET]
    "CLOUD_PROVIDER": ("AWS", "GCP", "AZURE"),  # [SHEET]; AWSCloudTrail and MicrosoftEntraID [CONTENT]
    "HOST_STATE_TYPE": ("RUNNING", "SUSPENDED", "STOPPED", "TERMINATED"),  # [SHEET]
    "HTTP_METHOD": _HTTP_METHODS,
    "HTTP_RSP_CODE": _HTTP_RESPONSE_CODES,
    # [ISSUE] "XDM_CONST.DB_OPERATION_CREATE should store CREATE". The group's other members are unconfirmed
    # (no source at hand lists them): they resolve by the prefix rule, with a warning.
    "DB_OPERATION": ("CREATE",),
}  # fmt: skip


def xdm_const_value(name: str) -> tuple[str, bool]:
    """``(stored string, known)`` for ``XDM_CONST.<name>``; strips the longest matching group prefix."""
    upper = name.upper()
    for group in sorted(XDM_ENUMS, key=len, reverse=True):
        prefix = group + "_"
        if upper.startswith(prefix) and len(upper) > len(prefix):
            value = upper[len(prefix) :]
            return value, value in XDM_ENUMS[group]
    return upper, False
