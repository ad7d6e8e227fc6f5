@echo off
rem The monailabel command of the release archive on Windows; needs only a Java 17+ runtime
rem (JAVA_HOME, else java on PATH), e.g.  bin\monailabel start_server
rem JVM options go in MONAI_LABEL_JAVA_OPTS (default -Xmx8g). Nothing is downloaded: PyTorch
rem comes from its jar in lib\ and is unpacked once into DJL's cache.
setlocal
set "ROOT=%~dp0.."
if defined JAVA_HOME (
    set "JAVA_BIN=%JAVA_HOME%\bin\java.exe"
) else (
    set "JAVA_BIN=java"
)
if defined JAVA_HOME if not exist "%JAVA_BIN%" (
    echo monailabel: JAVA_HOME is %JAVA_HOME% but %JAVA_BIN% is not there: point JAVA_HOME at a Java 17+ runtime 1>&2
    exit /b 1
)
where "%JAVA_BIN%" >nul 2>nul
if errorlevel 1 if not defined JAVA_HOME (
    echo monailabel: no java found: install a Java 17+ runtime, or set JAVA_HOME to one 1>&2
    exit /b 1
)
if not defined MONAI_LABEL_JAVA_OPTS set "MONAI_LABEL_JAVA_OPTS=-Xmx8g"
set "DJL_OFFLINE=true"
"%JAVA_BIN%" -Dai.djl.offline=true "-Dmonailabel.home=%ROOT%" %MONAI_LABEL_JAVA_OPTS% -cp "%ROOT%\lib\*" org.monailabel.http.Main %*
exit /b %ERRORLEVEL%
