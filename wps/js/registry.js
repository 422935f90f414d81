// Generated from workbook_tools/tasks/registry.py by `python -m workbook_tools.dist.wps.ribbon`: edit the registry, not this file.
"use strict";
// eslint-disable-next-line no-unused-vars
var LEDGER_REGISTRY = {
  "version": "0.1.0",
  "title": "正版化台账",
  "sheets": {
    "a7": "附件7 软件使用情况汇总表",
    "a9": "附件9 软件安装维护情况明细表",
    "a10": "附件10 软件安装维护申请",
    "results": "校验结果"
  },
  "buttons": [
    {
      "tag": "check",
      "id": "btn_check",
      "label": "校验台账",
      "group": "校验",
      "icon": "images/DataValidation.svg",
      "description": "按管理办法的全部规则校验当前台账，列出有问题的单元格（不修改台账）",
      "needsLedger": true
    },
    {
      "tag": "validate",
      "id": "btn_validate",
      "label": "校验并标记",
      "group": "校验",
      "icon": "images/DataValidationCircleInvalid.svg",
      "description": "按全部规则校验当前台账，标记有问题的单元格并重建「校验结果」表（同 ledger check --annotate）",
      "needsLedger": true
    },
    {
      "tag": "number",
      "id": "btn_number",
      "label": "自动编号",
      "group": "台账更新",
      "icon": "images/FillSeries.svg",
      "description": "为附件7 中没有软件编号的行分配编号（同 ledger number）",
      "needsLedger": true
    },
    {
      "tag": "fix_blanks",
      "id": "btn_fix_blanks",
      "label": "清除应空栏目",
      "group": "台账更新",
      "icon": "images/ClearAll.svg",
      "description": "清除 OEM软件、免费软件、受赠/调剂商业软件不应填写的栏目，原值记入变更记录（同 ledger fix-blanks）",
      "needsLedger": true
    },
    {
      "tag": "rollup",
      "id": "btn_rollup",
      "label": "半年更新",
      "group": "台账更新",
      "icon": "images/RefreshAll.svg",
      "description": "按附件9 截至今天的安装卸载记录重建附件8，更新附件7 安装数量（同 ledger rollup）",
      "needsLedger": true
    },
    {
      "tag": "install",
      "id": "btn_install",
      "label": "登记安装",
      "group": "台账更新",
      "icon": "images/SheetRowsInsert.svg",
      "description": "为附件10 中选中的已批准安装申请在附件9 登记安装记录，日期为今天（同 ledger install）",
      "needsLedger": true
    },
    {
      "tag": "uninstall",
      "id": "btn_uninstall",
      "label": "登记卸载",
      "group": "台账更新",
      "icon": "images/SheetRowsDelete.svg",
      "description": "为附件10 中选中的已批准卸载申请在附件9 登记卸载记录，日期为今天（同 ledger uninstall）",
      "needsLedger": true
    },
    {
      "tag": "upgrade",
      "id": "btn_upgrade",
      "label": "登记升级",
      "group": "台账更新",
      "icon": "images/ReplaceDialog.svg",
      "description": "为附件10 中选中的已批准升级申请在附件9 登记旧版本卸载和新版本安装，日期为今天（同 ledger upgrade）",
      "needsLedger": true
    },
    {
      "tag": "renew",
      "id": "btn_renew",
      "label": "续订",
      "group": "台账更新",
      "icon": "images/Repeat.svg",
      "description": "把附件7 中备注“续订 原软件编号”的续订行所替代的许可的全部安装转到续订行（同 ledger renew）",
      "needsLedger": true
    },
    {
      "tag": "print_slip",
      "id": "btn_print_slip",
      "label": "打印确认单",
      "group": "打印",
      "icon": "images/FilePrint.svg",
      "description": "为附件9 中选中行的确认单号生成附件11 安装维护确认单 PDF 并打开（同 ledger print 附件11 --id）",
      "needsLedger": true
    },
    {
      "tag": "print_form",
      "id": "btn_print_form",
      "label": "打印表单",
      "group": "打印",
      "icon": "images/FilePrintPreview.svg",
      "description": "把当前附件工作表生成可打印的 A4 PDF 并打开（同 ledger print 附件N）",
      "needsLedger": true
    },
    {
      "tag": "stats",
      "id": "btn_stats",
      "label": "统计 附件5",
      "group": "统计",
      "icon": "images/PivotTableInsert.svg",
      "description": "重建今年的「附件5 信息统计表」（同 ledger stats --year 今年）",
      "needsLedger": true
    },
    {
      "tag": "plan",
      "id": "btn_plan",
      "label": "采购计划",
      "group": "统计",
      "icon": "images/TableInsertExcel.svg",
      "description": "根据附件3 需求申请计算许可缺口，把采购建议写入附件4（同 ledger plan）",
      "needsLedger": true
    },
    {
      "tag": "overview",
      "id": "btn_overview",
      "label": "概览",
      "group": "统计",
      "icon": "images/ChartTypeColumnInsertGallery.svg",
      "description": "重建「概览」工作表：合规率、超装与即将到期的许可及图表（同 ledger overview）",
      "needsLedger": true
    },
    {
      "tag": "review",
      "id": "btn_review",
      "label": "考核评议",
      "group": "检查",
      "icon": "images/ReviewNewComment.svg",
      "description": "重建今年的「考核评议」工作表：按部门和人员列出违反软件正版化规定的情况及责任追究（同 ledger review）",
      "needsLedger": true
    },
    {
      "tag": "scan",
      "id": "btn_scan",
      "label": "导入扫描结果",
      "group": "检查",
      "icon": "images/GetExternalDataFromText.svg",
      "description": "用台账所在文件夹下「扫描结果」文件夹中的扫描文件核对台账，写入校验结果和扫描建议（同 ledger scan --annotate --propose）",
      "needsLedger": true
    },
    {
      "tag": "help",
      "id": "btn_help",
      "label": "使用说明",
      "group": "帮助",
      "icon": "images/Help.svg",
      "description": "列出各按钮的作用和可用的 ledger 命令",
      "needsLedger": false
    },
    {
      "tag": "about",
      "id": "btn_about",
      "label": "运行环境",
      "group": "帮助",
      "icon": "images/PropertySheet.svg",
      "description": "显示 Python、xlwings 和本工具的版本，并试读当前台账（各表行数与用时）",
      "needsLedger": false
    }
  ],
  "commands": [
    "add-free",
    "add-sheets",
    "addin",
    "baseline",
    "bundle",
    "check",
    "fix-blanks",
    "init",
    "install",
    "lo",
    "number",
    "overview",
    "plan",
    "pledge",
    "print",
    "renew",
    "review",
    "rollup",
    "scan",
    "scan-apply",
    "scrap-computer",
    "scrap-software",
    "serve",
    "slip",
    "stats",
    "uninstall",
    "upgrade",
    "wps"
  ]
};
