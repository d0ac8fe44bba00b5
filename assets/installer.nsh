; Included by electron-builder's NSIS installer (electron-builder.yml nsis.include).
; Allows the app through Windows Defender Firewall on private networks, inbound
; TCP, so phones and tablets at home can reach the sync server without Windows
; asking at first start. Public networks stay closed. The uninstaller removes it.
; netsh needs administrator rights: a per-machine install has them; a per-user
; install asks once (runas), and if that is declined Windows asks at first
; start instead, as it would without this rule.
;
; An update (electron-updater runs the new installer silently, which first runs
; the old uninstaller, both with --updated) keeps the install folder, so the rule
; stays right; ${isUpdated} skips both macros then, or every silent update would
; raise two administrator prompts.

!macro customInstall
  ${IfNot} ${isUpdated}
    ; Any rule left by an earlier version goes first, so the path is always the current one.
    nsExec::Exec 'netsh advfirewall firewall delete rule name="Anki Home Sync"'
    Pop $1
    StrCpy $0 'advfirewall firewall add rule name="Anki Home Sync" dir=in action=allow protocol=TCP profile=private enable=yes program="$INSTDIR\${APP_EXECUTABLE_FILENAME}"'
    nsExec::Exec 'netsh $0'
    Pop $1
    ${If} $1 != 0
      ExecShellWait "runas" "netsh" "$0" SW_HIDE
    ${EndIf}
  ${EndIf}
!macroend

!macro customUnInstall
  ${IfNot} ${isUpdated}
    nsExec::Exec 'netsh advfirewall firewall delete rule name="Anki Home Sync"'
    Pop $1
    ${If} $1 != 0
      ExecShellWait "runas" "netsh" 'advfirewall firewall delete rule name="Anki Home Sync"' SW_HIDE
    ${EndIf}
  ${EndIf}
!macroend
