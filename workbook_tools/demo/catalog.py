"""The software the synthetic unit may own: 商业软件, OEM软件 and 免费软件 templates.

A template's `role` tells the history generator which computers get it and when
(see `history.py`).  Templates are listed in the order they are picked when fewer
software numbers are asked for than there are templates.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Commercial:
    role: str
    name: str
    version: str
    category: str
    origin: str
    acquisition: str = "采购"
    licence: str = "批量许可"
    usable: str = ""
    price: float = 0.0            # yuan per licence (site licences: per covered person)
    depts: tuple[str, ...] = ()   # role "dept": departments whose computers may get it
    share: float = 0.0            # role "dept"/"server": share of eligible computers
    dated: bool = False           # 许可期限 is a date (else 永久)
    batchable: bool = False       # more purchase batches may be added to reach the wanted count
    note: str = ""


@dataclass(frozen=True)
class Oem:
    role: str
    name: str
    version: str
    category: str = "操作系统"
    origin: str = "国外"


@dataclass(frozen=True)
class Free:
    name: str
    versions: tuple[str, ...]
    vendor: str
    site: str
    reason: str
    popularity: float
    category: str = "其他软件"
    origin: str = "国外"
    depts: tuple[str, ...] = ()


PLANNING = ("规划审批处", "建设工程审批处", "现场勘验处")
PAPERWORK = ("办公室", "政策法规处", "督查考核处", "档案管理处", "业务协调处")

COMMERCIAL: tuple[Commercial, ...] = (
    Commercial("office-wps", "WPS Office 2019 专业版", "2019", "办公软件", "国内", licence="场地授权",
               usable="2019", price=160.0),
    Commercial("office-2016", "Microsoft Office 专业增强版", "2016", "办公软件", "国外",
               usable="2016、2013、2010", price=2100.0),
    Commercial("office-2019", "Microsoft Office 专业增强版", "2019", "办公软件", "国外",
               usable="2019、2016", price=2450.0, batchable=True),
    Commercial("os-kylin", "银河麒麟桌面操作系统", "V10", "操作系统", "国内", usable="V10", price=600.0,
               batchable=True),
    Commercial("av-old", "奇安信天擎终端安全管理系统", "V6.0", "杀毒软件", "国内", usable="V6.0", price=150.0,
               dated=True),
    Commercial("av-new", "奇安信天擎终端安全管理系统", "V10.0", "杀毒软件", "国内", usable="V10.0", price=180.0,
               dated=True),
    Commercial("os-server", "银河麒麟高级服务器操作系统", "V10", "操作系统", "国内", licence="服务器许可",
               usable="V10", price=6800.0),
    Commercial("dept", "中望CAD 专业版", "2022", "其他软件", "国内", acquisition="受赠", licence="单机许可",
               usable="2022", depts=PLANNING, share=0.45, note="上级主管部门赠予"),
    Commercial("os-uos", "统信UOS 桌面操作系统专业版", "V20", "操作系统", "国内", usable="V20", price=580.0,
               batchable=True),
    Commercial("dept", "Adobe Acrobat Pro DC", "2020", "办公软件", "国外", acquisition="调剂", licence="单机许可",
               usable="2020、2017", depts=PAPERWORK, share=0.2, note="由市政务服务数据管理中心调剂"),
    Commercial("av-server", "360终端安全防护系统（服务器版）", "V10", "杀毒软件", "国内", licence="服务器许可",
               usable="V10", price=820.0, dated=True),
    Commercial("server", "达梦数据库管理系统", "V8", "其他软件", "国内", licence="服务器许可", usable="V8",
               price=52000.0, share=0.34),
    Commercial("dept", "福昕高级PDF编辑器 专业版", "12", "办公软件", "国内", licence="单机许可", usable="12、11",
               price=899.0, depts=PAPERWORK + ("企业登记处", "投资项目审批处"), share=0.3, batchable=True),
    Commercial("dept", "AutoCAD", "2020", "其他软件", "国外", licence="单机许可", usable="2020、2019、2018",
               price=14500.0, depts=PLANNING, share=0.3),
    Commercial("dept", "ArcGIS Desktop 标准版", "10.8", "其他软件", "国外", licence="浮动许可", usable="10.8",
               price=61000.0, depts=("规划审批处",), share=0.5),
    Commercial("dept", "用友GRP-U8 政务财务管理软件", "V10.8", "其他软件", "国内", licence="网络许可",
               usable="V10.8", price=6200.0, depts=("办公室",), share=0.4),
    Commercial("dept", "ABBYY FineReader 企业版", "15", "办公软件", "国外", licence="单机许可", usable="15",
               price=2300.0, depts=("档案管理处",), share=0.6),
    Commercial("dept", "数科OFD版式办公套件", "V3.0", "办公软件", "国内", usable="V3.0", price=560.0,
               depts=PAPERWORK, share=0.35),
    Commercial("os-server-win", "Windows Server 标准版", "2019", "操作系统", "国外", licence="服务器许可",
               usable="2019、2016", price=6500.0),
    Commercial("server", "Microsoft SQL Server 标准版", "2019", "其他软件", "国外", licence="服务器许可",
               usable="2019、2017", price=28500.0, share=0.2),
    Commercial("server", "VMware vSphere 标准版", "7.0", "其他软件", "国外", licence="按CPU许可", usable="7.0",
               price=12600.0, share=0.5),
    Commercial("server", "东方通应用服务器 TongWeb", "V7.0", "其他软件", "国内", licence="服务器许可",
               usable="V7.0", price=38000.0, share=0.34),
    Commercial("dept", "Microsoft Visio 专业版", "2019", "办公软件", "国外", licence="单机许可", usable="2019、2016",
               price=3600.0, depts=("网络平台处", "规划审批处"), share=0.4),
    Commercial("dept", "Microsoft Project 专业版", "2019", "办公软件", "国外", licence="单机许可",
               usable="2019、2016", price=6900.0, depts=("投资项目审批处", "建设工程审批处"), share=0.25),
    Commercial("office-2021", "Microsoft Office LTSC 专业增强版", "2021", "办公软件", "国外",
               usable="2021、2019、2016", price=2680.0, batchable=True),
    Commercial("dept", "超图 SuperMap iDesktop", "10i", "其他软件", "国内", licence="单机许可", usable="10i",
               price=29000.0, depts=("规划审批处",), share=0.35),
    Commercial("dept", "广联达BIM土建计量平台 GTJ", "2021", "其他软件", "国内", licence="单机许可", usable="2021",
               price=9200.0, depts=("建设工程审批处",), share=0.4),
    Commercial("dept", "浩辰CAD", "2023", "其他软件", "国内", licence="单机许可", usable="2023",
               price=3100.0, depts=PLANNING + ("环境保护审批处",), share=0.25, batchable=True),
    Commercial("dept", "方正飞腾创艺", "5.3", "办公软件", "国内", acquisition="受赠", licence="单机许可",
               usable="5.3", depts=("办公室",), share=0.2, note="上级主管部门赠予"),
    Commercial("dept", "永中Office", "2019", "办公软件", "国内", licence="单机许可", usable="2019",
               price=480.0, depts=("热线办", "督查考核处"), share=0.15),
)

OEM: tuple[Oem, ...] = (
    Oem("win-desktop", "Windows 10 专业版", "22H2"),
    Oem("win-laptop", "Windows 10 家庭中文版", "22H2"),
    Oem("win-desktop-new", "Windows 11 专业版", "23H2"),
    Oem("win-laptop-new", "Windows 11 家庭中文版", "23H2"),
    Oem("oem-office", "Microsoft Office 家庭和学生版", "2019", category="办公软件"),
    Oem("oem-office-new", "Microsoft Office 家庭和学生版", "2021", category="办公软件"),
    Oem("win-desktop-old", "Windows 7 专业版", "SP1"),
    Oem("win-server", "Windows Server 标准版", "2016"),
    Oem("win-workstation", "Windows 10 专业工作站版", "22H2"),
    Oem("win-laptop-pro", "Windows 11 专业版", "24H2"),
)

IT = ("网络平台处",)
DOMESTIC = "国内"
FREE: tuple[Free, ...] = (
    Free("7-Zip 压缩软件", ("19.00", "22.01", "23.01", "24.08"), "Igor Pavlov", "www.7-zip.org", "文件压缩与解压", 0.85),
    Free("福昕PDF阅读器", ("10.1", "11.2", "12.1", "2024.2"), "福建福昕软件开发股份有限公司", "www.foxitsoftware.cn",
         "阅读PDF文件", 0.8, "办公软件", DOMESTIC),
    Free("搜狗输入法", ("9.8", "12.0", "13.2", "14.1"), "北京搜狗科技发展有限公司", "pinyin.sogou.com",
         "中文录入", 0.75, origin=DOMESTIC),
    Free("360安全浏览器", ("13.1", "14.1", "15.3"), "三六零安全科技股份有限公司", "browser.360.cn",
         "访问政务服务网站", 0.7, origin=DOMESTIC),
    Free("数科OFD阅读器", ("2.0", "3.0", "3.1"), "北京数科网维技术有限责任公司", "www.suwell.cn",
         "阅读OFD版式公文", 0.65, "办公软件", DOMESTIC),
    Free("Mozilla Firefox 延长支持版", ("91.13", "102.15", "115.9", "128.3"), "Mozilla基金会", "www.firefox.com.cn",
         "访问业务系统", 0.45),
    Free("腾讯会议", ("3.10", "3.20", "3.26"), "腾讯科技（深圳）有限公司", "meeting.tencent.com",
         "参加视频会议", 0.5, origin=DOMESTIC),
    Free("CAJViewer 阅读器", ("7.3", "8.0", "9.0"), "同方知网数字出版技术股份有限公司", "cajviewer.cnki.net",
         "阅读文献资料", 0.3, "办公软件", DOMESTIC),
    Free("Notepad++ 文本编辑器", ("8.1", "8.4", "8.6"), "Don Ho", "notepad-plus-plus.org", "编辑文本文件", 0.3),
    Free("向日葵远程控制", ("12.5", "13.3", "15.0"), "上海贝锐信息科技股份有限公司", "sunlogin.oray.com",
         "远程技术支持", 0.25, origin=DOMESTIC),
    Free("VLC 媒体播放器", ("3.0.16", "3.0.18", "3.0.20"), "VideoLAN", "www.videolan.org", "播放培训视频", 0.3),
    Free("Snipaste 截图工具", ("2.6", "2.8", "2.9"), "Snipaste团队", "zh.snipaste.com", "屏幕截图", 0.35,
         origin=DOMESTIC),
    Free("LibreOffice", ("7.2", "7.5", "7.6", "24.2"), "The Document Foundation", "zh-cn.libreoffice.org",
         "打开旧格式文档", 0.15, "办公软件"),
    Free("PuTTY 远程终端", ("0.76", "0.78", "0.81"), "Simon Tatham", "www.chiark.greenend.org.uk",
         "服务器运维", 0.9, depts=IT),
    Free("WinSCP 文件传输", ("5.19", "6.1", "6.3"), "Martin Prikryl", "winscp.net", "服务器文件传输", 0.8, depts=IT),
    Free("Google Chrome 浏览器", ("109.0", "120.0", "128.0"), "Google LLC", "www.google.cn/chrome",
         "访问业务系统", 0.35),
    Free("奇安信可信浏览器", ("1.0", "2.0"), "奇安信科技集团股份有限公司", "www.qianxin.com", "访问政务外网", 0.4,
         origin=DOMESTIC),
    Free("Adobe Acrobat Reader DC", ("2021.007", "2023.001", "2024.002"), "Adobe Inc.", "get.adobe.com/cn/reader",
         "阅读PDF文件", 0.25, "办公软件"),
    Free("Everything 文件搜索", ("1.4.1",), "voidtools", "www.voidtools.com", "查找文件", 0.2),
    Free("华为云WeLink", ("7.10", "7.30", "7.42"), "华为技术有限公司", "www.huaweicloud.com/product/welink.html",
         "工作协同", 0.3, origin=DOMESTIC),
    Free("格式工厂", ("5.10", "5.14", "5.16"), "上海格式工厂网络有限公司", "www.pcgeshi.com", "转换音视频格式", 0.15,
         origin=DOMESTIC),
    Free("Wireshark 网络分析", ("3.6", "4.0", "4.2"), "Wireshark Foundation", "www.wireshark.org", "网络故障排查",
         0.6, depts=IT),
    Free("Visual Studio Code", ("1.70", "1.85", "1.92"), "Microsoft Corporation", "code.visualstudio.com",
         "编写运维脚本", 0.6, depts=IT),
    Free("Git 版本管理", ("2.35", "2.41", "2.46"), "Software Freedom Conservancy", "git-scm.com", "管理配置文件",
         0.5, depts=IT),
    Free("QGIS 地理信息系统", ("3.22", "3.28", "3.34"), "OSGeo", "qgis.org", "查看规划图件", 0.4,
         depts=("规划审批处", "农业水利审批处", "环境保护审批处")),
    Free("XMind 思维导图", ("8", "2022", "2024"), "深圳市爱思软件技术有限公司", "xmind.cn", "整理工作思路", 0.15,
         "办公软件", DOMESTIC),
    Free("Foxmail 邮件客户端", ("7.2.20", "7.2.23", "7.2.25"), "腾讯科技（深圳）有限公司", "www.foxmail.com",
         "收发电子邮件", 0.3, "办公软件", DOMESTIC),
    Free("Bandizip 压缩软件", ("6.29", "7.2", "7.35"), "Bandisoft", "www.bandisoft.com", "文件压缩与解压", 0.1),
    Free("PDFsam Basic", ("4.3", "5.1", "5.2"), "Sober Lemur S.a.s.", "pdfsam.org", "拆分合并PDF", 0.12, "办公软件"),
    Free("draw.io 桌面版", ("20.3", "22.1", "24.7"), "JGraph Ltd", "www.drawio.com", "绘制流程图", 0.2, "办公软件"),
    Free("DBeaver 社区版", ("22.0", "23.3", "24.1"), "DBeaver Corp", "dbeaver.io", "数据库维护", 0.5, depts=IT),
    Free("OBS Studio", ("27.2", "29.1", "30.2"), "OBS Project", "obsproject.com", "录制培训视频", 0.2,
         depts=("办公室", "人事教育处")),
    Free("Audacity 音频编辑", ("3.1", "3.3", "3.6"), "Audacity Team", "www.audacityteam.org", "整理录音", 0.15,
         depts=("热线办", "办公室")),
    Free("Umi-OCR 文字识别", ("1.3", "2.0", "2.1"), "hiroi-sora", "github.com/hiroi-sora/Umi-OCR",
         "识别扫描件文字", 0.2, "办公软件", DOMESTIC),
    Free("SumatraPDF 阅读器", ("3.3", "3.4", "3.5"), "Krzysztof Kowalczyk", "www.sumatrapdfreader.org",
         "阅读PDF文件", 0.1, "办公软件"),
    Free("KeePass 密码管理", ("2.50", "2.54", "2.57"), "Dominik Reichl", "keepass.info", "保管系统口令", 0.5,
         depts=IT),
    Free("FileZilla 客户端", ("3.60", "3.63", "3.67"), "Tim Kosse", "filezilla-project.org", "文件传输", 0.3,
         depts=IT + ("档案管理处",)),
    Free("ShareX 截图工具", ("14.1", "15.0", "16.1"), "ShareX Team", "getsharex.com", "屏幕录制", 0.1),
    Free("Inkscape 矢量图", ("1.1", "1.2", "1.3"), "Inkscape Project", "inkscape.org", "制作宣传图", 0.2,
         depts=("办公室",)),
    Free("GIMP 图像处理", ("2.10.30", "2.10.34", "2.10.38"), "GIMP Team", "www.gimp.org", "处理图片", 0.2,
         depts=("办公室", "人事教育处")),
    Free("Python 运行环境", ("3.8", "3.10", "3.12"), "Python Software Foundation", "www.python.org",
         "运行运维脚本", 0.6, depts=IT),
    Free("ToDesk 远程协助", ("4.6", "4.7"), "海南有趣科技有限公司", "www.todesk.com", "远程技术支持", 0.15,
         origin=DOMESTIC),
    Free("金山PDF阅读器", ("11.6", "12.1"), "珠海金山办公软件有限公司", "www.wps.cn", "阅读PDF文件", 0.15,
         "办公软件", DOMESTIC),
    Free("Thunderbird 邮件客户端", ("102.15", "115.9", "128.3"), "Mozilla基金会", "www.thunderbird.net",
         "收发电子邮件", 0.1, "办公软件"),
    Free("PotPlayer 播放器", ("1.7.21", "230502", "240618"), "Kakao Corp.", "potplayer.daum.net",
         "播放培训视频", 0.15),
)
