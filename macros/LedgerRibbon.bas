Attribute VB_Name = "LedgerRibbon"
' Ribbon callbacks of the ledger add-in (customUI14.xml).
' Every button names its action in its tag attribute; the Python side
' (workbook_tools.faces.excel.dispatch) decides what the action does.
' Keep this module ASCII: the VBA project uses code page 1252, so Chinese
' text is built from UTF-16 code points by Zh().
Option Explicit

Public Sub OnLedgerButton(control As IRibbonControl)
    Dim reason As String
    If ActiveWorkbook Is Nothing Then
        If InProtectedView() Then
            ' "The ledger is open in Protected View: click Enable Editing first"
            MsgBox Zh("53F0 8D26 5728 53D7 4FDD 62A4 7684 89C6 56FE 4E2D 6253 5F00 FF1A 8BF7 5148 70B9 9EC4 8272 63D0 793A 680F 4E2D 7684 300C 542F 7528 7F16 8F91 300D FF0C 518D 70B9 6309 94AE"), vbExclamation, Title()
        Else
            ' "Please open the ledger workbook first"
            MsgBox Zh("8BF7 5148 6253 5F00 53F0 8D26 5DE5 4F5C 7C3F"), vbExclamation, Title()
        End If
        Exit Sub
    End If
    On Error GoTo NotStarted
    RunPython "import workbook_tools.faces.excel as x; x.dispatch('" & control.Tag & "')"
    Exit Sub
NotStarted:
    ' Excel could not start cmd.exe/Python: often an ASR rule or antivirus macro protection
    reason = Err.Description
    MsgBox Zh("0045 0078 0063 0065 006C 0020 65E0 6CD5 542F 52A8 0020 0050 0079 0074 0068 006F 006E FF1A 53EF 80FD 88AB 0020 0057 0069 006E 0064 006F 0077 0073 0020 0044 0065 0066 0065 006E 0064 0065 0072 0020 7684 89C4 5219 300C 963B 6B62 0020 004F 0066 0066 0069 0063 0065 0020 5E94 7528 7A0B 5E8F 521B 5EFA 5B50 8FDB 7A0B 300D 6216 0020 0033 0036 0030 3001 5929 64CE 7B49 7684 5B8F 9632 62A4 62E6 622A FF0C 8BF7 8054 7CFB 4FE1 606F 5316 90E8 95E8 FF08 89C1 5B89 88C5 5305 4E2D 7684 0020 8BF4 660E 002E 0074 0078 0074 FF09 3002") _
        & vbCrLf & vbCrLf & reason, vbCritical, Title()
End Sub

Private Function InProtectedView() As Boolean
    #If Mac Then
        InProtectedView = False
    #Else
        On Error Resume Next
        InProtectedView = Not Application.ActiveProtectedViewWindow Is Nothing
    #End If
End Function

Private Function Title() As String
    ' "Software licensing ledger"
    Title = Zh("6B63 7248 5316 53F0 8D26")
End Function

Private Function Zh(codes As String) As String
    Dim parts() As String
    Dim i As Long
    parts = Split(codes, " ")
    For i = LBound(parts) To UBound(parts)
        Zh = Zh & ChrW(CLng("&H" & parts(i)))
    Next i
End Function
