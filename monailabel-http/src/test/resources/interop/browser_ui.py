"""Drives the annotation page at /ui/ in headless Chromium (Debian's chromium, chromium-driver and
python3-selenium): next sample, waits for the image drawn, steps slices with the arrow keys, paints
a stroke with the brush at given canvas pixels, submits the label.

Then starts training and waits for it to end, and last saves OTHER_LABEL as another client would
(a plain multipart PUT) and submits again from the page, which must refuse to overwrite it (409);
reopens the study, which loads that label, and submits it.

Usage: browser_ui.py BASE_URL OUT_JSON SLICE_STEPS X0 Y0 X1 Y1 OTHER_LABEL PROBES [USER PASSWORD]
(PROBES: JSON [[testid, x, y], ...], canvas pixels whose label overlay is reported as "probes"
after the stroke).
(with USER and PASSWORD, the page must ask for them first: authentication is on).
Between the stroke and the submit it erases the stroke's middle voxel and undoes that.
(canvas pixel coordinates of the axial canvas, the stroke from (X0, Y0) to (X1, Y1)).
Writes {"image": id, "lit": non-black pixels of the axial canvas, "slice": the slice text,
"status": the status line, "state": the study's label state, "console": [browser console
entries until then], "train": the training status, "points": chart points, "conflict": the
status line after the conflicting submit, "reloaded" and "resaved": the status lines after
reopening the study and submitting its label, "console_after": console entries after, "reviewed":
the study's state after a reviewer approved it and the page reloaded, "console_end"} to OUT_JSON.
"""
import json
import sys
import urllib.parse
import urllib.request
import uuid

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

base, out = sys.argv[1], sys.argv[2]
steps = int(sys.argv[3])
x0, y0, x1, y1 = (int(a) for a in sys.argv[4:8])
other_label = sys.argv[8]
probes = json.loads(sys.argv[9])
credentials = sys.argv[10:12]

options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--window-size=1400,1000", "--no-first-run", "--disable-extensions"):
    options.add_argument(arg)
options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
result = {}
try:
    wait = WebDriverWait(driver, 60)
    driver.get(base + "ui/")
    testid = lambda name: driver.find_element(By.CSS_SELECTOR, f'[data-testid="{name}"]')
    if credentials:
        wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, '[data-testid="signin"]')))
        testid("username").send_keys(credentials[0])
        testid("password").send_keys(credentials[1])
        testid("signin").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "body[data-ready=true]")))
    testid("next-sample").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "body[data-loaded]")))
    result["image"] = testid("image-id").text
    result["lit"] = driver.execute_script(
        "const c = document.querySelector('[data-testid=viewer]');"
        "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        "let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] || d[i+1] || d[i+2]) n++;"
        "return n;")
    canvas = testid("viewer")
    result["canvas"] = [canvas.size["width"], canvas.size["height"]]
    for _ in range(abs(steps)):
        canvas.send_keys(Keys.ARROW_UP if steps > 0 else Keys.ARROW_DOWN)
    result["slice"] = testid("slice-info").text
    driver.execute_script(
        "const s = document.querySelector('[data-testid=brush-size]');"
        "s.value = 1; s.dispatchEvent(new Event('input'));")
    testid("tool-brush").click()
    # offsets from the canvas' centre (W3C actions), to the centre of the given pixel
    cx, cy = canvas.size["width"] / 2, canvas.size["height"] / 2
    actions = ActionChains(driver, duration=20)
    actions.move_to_element_with_offset(canvas, int(x0 - cx), int(y0 - cy)).click_and_hold()
    n = 4
    for s in range(1, n + 1):
        actions.move_to_element_with_offset(
            canvas, int(x0 + (x1 - x0) * s / n - cx), int(y0 + (y1 - y0) * s / n - cy))
    actions.release().perform()
    tinted = ("const c = document.querySelector(`[data-testid=${arguments[0]}]`);"
              "const d = c.getContext('2d').getImageData(arguments[1], arguments[2], 1, 1).data;"
              "return d[0] !== d[1] || d[1] !== d[2];")
    result["probes"] = [driver.execute_script(tinted, *p) for p in probes]
    overlay = lambda x, y: driver.execute_script(tinted, "viewer", x, y)
    xm = (x0 + x1) // 2
    ym = y0 - 3  # in the same voxel, off the cross-hair should it run through the pixel centre
    result["painted"] = overlay(xm, ym)
    testid("tool-eraser").click()
    ActionChains(driver).move_to_element_with_offset(canvas, int(xm - cx), int(y0 - cy)).click().perform()
    result["erased"] = not overlay(xm, ym)
    testid("undo").click()
    result["undone"] = overlay(xm, ym)
    testid("submit-label").click()
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-saved")
               or "error" in testid("status").get_attribute("class"))
    result["status"] = testid("status").text
    result["state"] = driver.find_element(
        By.CSS_SELECTOR, f'[data-testid=study][data-id="{result["image"]}"]').get_attribute("data-state")
    result["console"] = driver.get_log("browser")

    testid("train-start").click()
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-trained")
               or "error" in testid("status").get_attribute("class"))
    result["train"] = testid("train-status").text
    result["points"] = int(testid("train-chart").get_attribute("data-points") or 0)

    # another client saves meanwhile: the page's next submit must not overwrite it
    boundary = uuid.uuid4().hex
    with open(other_label, "rb") as f:
        content = f.read()
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"params\"\r\n\r\n{{}}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"label\"; filename=\"other.nii.gz\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    if credentials:
        form = urllib.parse.urlencode({"username": credentials[0], "password": credentials[1],
                                       "grant_type": "password"}).encode()
        with urllib.request.urlopen(urllib.request.Request(base + "auth/token", data=form)) as r:
            headers["Authorization"] = "Bearer " + json.load(r)["access_token"]
    request = urllib.request.Request(
        base + "datastore/label?image=" + result["image"] + "&tag=final", data=body, method="PUT",
        headers=headers)
    with urllib.request.urlopen(request) as r:
        assert r.status == 200, r.status
    testid("submit-label").click()
    wait.until(lambda d: "error" in testid("status").get_attribute("class"))
    result["conflict"] = testid("status").text
    # reopening the study loads the other's label (with its ETag), which a submit then replaces
    driver.find_element(By.CSS_SELECTOR, f'[data-testid=study][data-id="{result["image"]}"]').click()
    wait.until(lambda d: "label loaded" in testid("status").text)
    result["reloaded"] = testid("status").text
    testid("submit-label").click()
    wait.until(lambda d: testid("status").text.startswith("Saved")
               or "error" in testid("status").get_attribute("class"))
    result["resaved"] = testid("status").text
    result["console_after"] = driver.get_log("browser")

    # a reviewer approves it: after a reload the list says so
    review = urllib.request.Request(
        base + "datastore/label/review?label=" + result["image"] + "&tag=final",
        data=json.dumps({"state": "approved"}).encode(), method="PUT",
        headers={k: v for k, v in headers.items() if k == "Authorization"}
        | {"Content-Type": "application/json"})
    with urllib.request.urlopen(review) as r:
        assert r.status == 200, r.status
    driver.refresh()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "body[data-ready=true]")))
    result["reviewed"] = driver.find_element(
        By.CSS_SELECTOR, f'[data-testid=study][data-id="{result["image"]}"]').get_attribute("data-state")
    result["console_end"] = driver.get_log("browser")
finally:
    driver.quit()
with open(out, "w") as f:
    json.dump(result, f)
