"""Word lists of the synthetic unit: names, ranks, brands, contact details."""
from __future__ import annotations

UNIT = "示例市行政审批局"
AREA_CODE = "0412"
IT_DEPT = "网络平台处"

# Common surnames, most frequent first (weights fall with the rank), with some of the north-east.
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏"
    "薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常"
    "武乔贺赖龚文关佟隋宫鞠栾付单矫曲衣初丛"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏辉建国东宇浩鑫博晨欣怡佳思雨婷雪琳晶颖"
    "慧楠丹蕾倩阳帆凯斌波峰亮健松林森岩冰爽悦璐瑶薇琪然宁航昊睿哲轩彤雯妍铭晓志文海春秋冬立新庆永宏"
    "德福成胜利兵义光天子梓一诗嘉俊泽宸皓柏琦瑞毅卓凡晗璇蓓菲莹婧洁莉梅兰燕凤云香月玲琴珍君岚彬涵曦"
    "彦锐兴旭煜琛骁振坤翔靖"
)

# (职务, weight) by department type; heads come from the leading group.
OFFICE_RANKS = (("副处长", 0.08), ("一级主任科员", 0.12), ("二级主任科员", 0.15), ("三级主任科员", 0.17),
                ("四级主任科员", 0.17), ("一级科员", 0.17), ("科员", 0.09), ("工勤人员", 0.05))
WINDOW_RANKS = (("首席代表", 0.06), ("窗口负责人", 0.1), ("综合受理员", 0.45), ("窗口工作人员", 0.32),
                ("导服人员", 0.07))
HOTLINE_RANKS = (("话务员", 0.72), ("班组长", 0.14), ("质检员", 0.14))
NO_COMPUTER_RANKS = ("工勤人员", "导服人员")
# Ranks that get a laptop first when there are more computers than users.
SENIOR_RANKS = ("局长", "副局长", "处长", "主任", "副主任", "副处长", "首席代表", "专职副书记")

# Share of the staff outside the leading group, by department (the rest is shared evenly).
DEPT_WEIGHTS = {"政务服务中心": 0.30, "热线办": 0.10, "办公室": 0.05, IT_DEPT: 0.05}
DEPT_ALIASES = {"政务中心": "政务服务中心"}

DESKTOP_BRANDS = (("联想", 0.38), ("清华同方", 0.15), ("长城", 0.15), ("华为", 0.1), ("戴尔", 0.11), ("惠普", 0.11))
LAPTOP_BRANDS = (("联想", 0.5), ("华为", 0.25), ("戴尔", 0.15), ("惠普", 0.1))
SERVER_BRANDS = (("华为", 0.4), ("浪潮", 0.3), ("联想", 0.15), ("戴尔", 0.15))
XINCHUANG_OS = {"长城": "os-kylin", "清华同方": "os-kylin", "华为": "os-uos"}  # desktops only
ID_PREFIX = {"服务器": "FWQ", "台式机": "TSJ", "便携机": "BXJ"}
