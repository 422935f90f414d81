Attribute VB_Name = "LedgerRibbon"
' Ribbon callbacks of the ledger add-in (customUI14.xml).
' Every button names its action in its tag attribute; the Python side
' (workbook_tools.excel.dispatch) decides what the action does.
' Keep this module ASCII: the VBA project uses code page 1252, so Chinese
' text is built from UTF-16 code points by Zh().
Option Explicit

Public Sub OnLedgerButton(control As IRibbonControl)
    If ActiveWorkbook Is Nothing Then
        ' "Please open the ledger workbook first", title "Software licensing ledger"
        MsgBox Zh("8BF7 5148 6253 5F00 53F0 8D26 5DE5 4F5C 7C3F"), vbExclamation, Zh("6B63 7248 5316 53F0 8D26")
        Exit Sub
    End If
    RunPython "import workbook_tools.excel as x; x.dispatch('" & control.Tag & "')"
End Sub

Private Function Zh(codes As String) As String
    Dim parts() As String
    Dim i As Long
    parts = Split(codes, " ")
    For i = LBound(parts) To UBound(parts)
        Zh = Zh & ChrW(CLng("&H" & parts(i)))
    Next i
End Function
