package io.archipelago.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.archipelago.node.dashboard.DashboardServer;
import io.archipelago.node.dashboard.RunCatalog;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser: Debian's headless Chromium, driven through
 * {@code /usr/bin/chromedriver} (scripts/install-browser.sh installs both; Selenium is pointed at
 * them and downloads nothing). A two-objective NSGA-II search runs in its own JVM meanwhile, with
 * simulated evaluation times, so it is still running when the pages look at it. The runs page must
 * list it and its evaluation count must rise without a reload; its run page must draw the Pareto
 * front; the CSV the page links to must be its evaluations.csv. Screenshots go to
 * target/dashboard-screenshots/. Skipped when Chromium is not installed, unless
 * ARCHIPELAGO_REQUIRE_BROWSER is set (CI sets it: there a missing browser fails the test).
 */
class DashboardBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");

    @Test
    void listsARunningSearchUpdatesItLiveDrawsItsFrontAndDownloadsItsCsv(@TempDir Path tmp) throws Exception {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!installed) {
            Assumptions.assumeTrue(
                    System.getenv("ARCHIPELAGO_REQUIRE_BROWSER") != null,
                    "no " + CHROMIUM + " and " + CHROMEDRIVER + " (scripts/install-browser.sh installs them)");
            throw new AssertionError("ARCHIPELAGO_REQUIRE_BROWSER is set, but " + CHROMIUM + " or " + CHROMEDRIVER
                    + " is missing: run scripts/install-browser.sh");
        }
        Files.createDirectories(SCREENSHOTS);
        Path runs = Files.createDirectories(tmp.resolve("runs"));
        Path run = runs.resolve("pareto");
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "dashboard-browser", ConfigFactory.load());
        DashboardServer server = null;
        WebDriver browser = null;
        // ~24 s of evaluations (120 x 200 ms on one slot): still running while the pages look.
        try (ChildJvm search = ChildJvm.start(
                tmp,
                "search",
                "search",
                "--strategy",
                "nsga2",
                "--objectives",
                "cifar10_valid_12:max,params:min",
                "--constraint",
                "params<=600000",
                "--budget",
                "120",
                "--eval-time",
                "200ms",
                "--seed",
                "4",
                "--quiet",
                "--out",
                run.toString())) {
            server = new DashboardServer(
                    system,
                    new RunCatalog(List.of(runs), DashboardCommand.RUN_DIRECTORIES, null, null),
                    Duration.ofMillis(300));
            String base = "http://127.0.0.1:" + server.start("127.0.0.1", 0).getPort();
            browser = chromium();
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60), Duration.ofMillis(100));
            // The pages redraw their tables as events come: an element found a moment ago may be gone.
            wait.ignoring(StaleElementReferenceException.class);

            // The runs page lists the search while it runs ...
            browser.get(base + "/#/");
            JavascriptExecutor js = (JavascriptExecutor) browser;
            js.executeScript("window.__notReloaded = true;");
            By row = By.cssSelector("#runs-table tr[data-run-id='pareto']");
            int first = wait.until(until(
                    row,
                    r -> "running".equals(r.getAttribute("data-state")) && evaluations(r) > 0 && evaluations(r) < 120
                            ? evaluations(r)
                            : null));
            screenshot(browser, "runs-running.png");
            // ... and its count rises on the page, with no reload.
            int later = wait.until(until(row, r -> evaluations(r) > first ? evaluations(r) : null));
            assertTrue(later > first);
            assertEquals(Boolean.TRUE, js.executeScript("return window.__notReloaded === true;"), "the page reloaded");
            wait.until(until(row, r -> r.getText().contains("nsga2") ? true : null));

            // The run page draws the front (the chart's front series holds the front's points).
            wait.until(d -> {
                d.findElement(By.cssSelector("#runs-table tr[data-run-id='pareto'] a"))
                        .click();
                return true;
            });
            wait.until(d -> ((JavascriptExecutor) d)
                    .executeScript("const e = document.getElementById('pareto-chart');"
                            + " return e && Number(e.dataset.frontPoints || 0) > 0;"));
            Long drawn = (Long)
                    js.executeScript("const c = echarts.getInstanceByDom(document.getElementById('pareto-chart'));"
                            + " return c.getOption().series.find(s => s.name === 'front').data.length;");
            assertEquals(
                    Long.parseLong(browser.findElement(By.id("pareto-chart")).getAttribute("data-front-points")),
                    drawn);
            screenshot(browser, "run-running.png");
            // Cells over the constraint are drawn apart, in their own series, never on the front.
            wait.until(d -> Long.valueOf(0).compareTo((Long) ((JavascriptExecutor) d)
                            .executeScript("return echarts.getInstanceByDom(document.getElementById('pareto-chart'))"
                                    + ".getOption().series.find(s => s.name === 'infeasible').data.length;"))
                    < 0);

            // When the search ends the page says so, still without a reload, and its CSV is evaluations.csv.
            assertEquals(0, search.awaitExit(Duration.ofSeconds(120)), search.tail());
            wait.until(d ->
                    d.findElement(By.cssSelector("#run-state .state")).getText().equals("finished"));
            wait.until(d -> "120".equals(d.findElement(By.id("run-evaluations")).getAttribute("data-evaluations")));
            wait.until(d -> "120".equals(d.findElement(By.id("trials-table")).getAttribute("data-rows")));
            screenshot(browser, "run-finished.png");
            String href = browser.findElement(By.id("csv-link")).getAttribute("href");
            String downloaded = (String) ((JavascriptExecutor) browser)
                    .executeAsyncScript(
                            "const done = arguments[arguments.length - 1];"
                                    + " fetch(arguments[0]).then(r => r.text()).then(done, e => done('error: ' + e));",
                            href);
            assertEquals(Files.readString(run.resolve("evaluations.csv")), downloaded);

            // The trial table sorts: by params, ascending.
            wait.until(d -> {
                d.findElement(By.cssSelector("#trials-table th[data-col='params']"))
                        .click();
                return true;
            });
            wait.until(d -> d.findElement(By.cssSelector("#trials-table th[data-col='params']"))
                    .getText()
                    .contains("\u25B2"));
            // The params column (the 11th) ascending, as the page shows it.
            List<Double> params = wait.until(d -> {
                List<Double> shown = d.findElements(By.cssSelector("#trials-table tbody tr")).stream()
                        .limit(5)
                        .map(tr -> Double.parseDouble(tr.findElements(By.tagName("td"))
                                .get(10)
                                .getText()
                                .replace(",", "")))
                        .toList();
                return shown.size() == 5 ? shown : null;
            });
            for (int i = 1; i < params.size(); i++) {
                assertTrue(params.get(i - 1) <= params.get(i), params.toString());
            }
            js.executeScript("document.getElementById('trials-table').scrollIntoView();");
            screenshot(browser, "run-trials-sorted.png");
            browser.get(base + "/#/");
            wait.until(until(row, r -> "finished".equals(r.getAttribute("data-state")) ? true : null));
            screenshot(browser, "runs-finished.png");
        } finally {
            if (browser != null) {
                browser.quit();
            }
            if (server != null) {
                server.close();
            }
            system.terminate();
        }
    }

    private static WebDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--window-size=1400,1100");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    private static int evaluations(WebElement row) {
        return Integer.parseInt(
                row.findElement(By.cssSelector("td.evaluations")).getAttribute("data-evaluations"));
    }

    /** A wait's condition on the element {@code by} (null: not yet; a stale or missing element: not yet). */
    private static <T> Function<WebDriver, T> until(By by, Function<WebElement, T> test) {
        return driver -> {
            try {
                List<WebElement> found = driver.findElements(by);
                return found.isEmpty() ? null : test.apply(found.get(0));
            } catch (org.openqa.selenium.StaleElementReferenceException redrawn) {
                return null;
            }
        };
    }

    private static void screenshot(WebDriver browser, String name) throws Exception {
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
}
