// gitwalk report: draws each section from the analyses' JSON embedded in the
// page (script#data-SLOT, the shape `gitwalk ANALYSIS --format json` prints).
// Every chart marks its element data-drawn="1" when ECharts has finished
// drawing it, and <html data-ready="1"> is set once every chart has: the
// browser test waits for that.
(function () {
  "use strict";

  function load(slot) {
    var el = document.getElementById("data-" + slot);
    if (!el) return null;
    return qualify(JSON.parse(el.textContent));
  }
  // With several repositories (gitwalk report --repos) a file's rows carry
  // its repository: the page names it repository/path, so that the maps
  // nest files under their repository and equal paths of two stay apart.
  function qualify(rep) {
    if (!rep || !rep.columns || rep.columns[0] !== "repository" || !rep.rows) return rep;
    var cols = ["entity", "coupled", "dir"].filter(function (c) { return rep.columns.indexOf(c) >= 0; });
    rep.rows.forEach(function (r) {
      cols.forEach(function (c) { if (r[c] != null) r[c] = r.repository + "/" + r[c]; });
    });
    return rep;
  }
  var meta = load("meta") || {};

  // col returns the first of names that the report has as a column, or null.
  function col(rep, names) {
    if (!rep) return null;
    for (var i = 0; i < names.length; i++) {
      if (rep.columns.indexOf(names[i]) >= 0) return names[i];
    }
    return null;
  }
  function hasRows(rep) { return !!(rep && rep.rows && rep.rows.length); }

  var fmt = new Intl.NumberFormat("en-US");
  function num(v) { return v === null || v === undefined ? "-" : (typeof v === "number" ? fmt.format(v) : String(v)); }
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function body(id) { return document.querySelector("#" + id + " .body"); }
  function nothing(id, why) {
    body(id).innerHTML = '<div class="nothing">Nothing to show' + (why ? ": " + esc(why) : ".") + "</div>";
    var t = document.querySelector("#" + id + " label.toggle");
    if (t) t.style.display = "none";
  }

  // palette: 16 distinguishable colours, so that the top directories and
  // authors (up to a dozen plus "(other)") never share one in a legend.
  var palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac", "#1f77b4", "#8c564b", "#17becf", "#bcbd22", "#7f7f7f", "#d62728"];

  // Charts: each is counted until ECharts reports it finished.
  var pending = 0, started = false;
  function settle() {
    if (started && pending === 0) document.documentElement.setAttribute("data-ready", "1");
  }
  function chart(parent, option, cls) {
    var el = document.createElement("div");
    el.className = "chart" + (cls ? " " + cls : "");
    parent.appendChild(el);
    var c = echarts.init(el, null, { renderer: "canvas" });
    pending++;
    var done = false;
    c.on("finished", function () {
      if (done) return;
      done = true;
      el.setAttribute("data-drawn", "1");
      pending--;
      settle();
    });
    option.animationDuration = option.animationDuration || 300;
    option.color = option.color || palette;
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
    return c;
  }

  // table draws rows of rep, the columns given (all by default), with
  // numbers right-aligned and text columns named in paths as paths.
  function table(parent, rep, cols, limit, paths) {
    cols = cols || rep.columns;
    var rows = rep.rows.slice(0, limit || rep.rows.length);
    var h = ['<div class="scroll"><table><thead><tr>'];
    cols.forEach(function (c) { h.push("<th>" + esc(c) + "</th>"); });
    h.push("</tr></thead><tbody>");
    rows.forEach(function (r) {
      h.push("<tr>");
      cols.forEach(function (c) {
        var v = r[c];
        var cls = typeof v === "number" ? "n" : (paths && paths.indexOf(c) >= 0 ? "path" : "");
        if (typeof v === "string" && /^\d{4}-\d\d-\d\dT/.test(v)) v = v.slice(0, 10);
        h.push('<td class="' + cls + '">' + esc(num(v)) + "</td>");
      });
      h.push("</tr>");
    });
    h.push("</tbody></table></div>");
    parent.insertAdjacentHTML("beforeend", h.join(""));
    if (rep.rows.length > rows.length) {
      parent.insertAdjacentHTML("beforeend", '<div class="note">' + num(rows.length) + " of " + num(rep.rows.length) + " rows shown.</div>");
    }
  }

  var summary = load("summary");
  var sumRow = hasRows(summary) ? summary.rows[0] : null;
  var files = load("files");
  var periods = load("periods");
  var period = periods && periods.options && periods.options.by === "month" ? "month" : "week";
  document.querySelectorAll("span.period").forEach(function (s) { s.textContent = period; });

  // Summary.
  (function () {
    document.getElementById("subtitle").textContent = meta.repository || "";
    document.getElementById("footer").textContent = "Made by gitwalk " + (meta.version || "") + " on " + (meta.generated || "") + ".";
    if (!sumRow) { nothing("summary", "no summary in this report"); return; }
    var o = summary.options || {};
    var revs = (o.revisions && o.revisions.length ? o.revisions.join(" ") : "HEAD");
    var scope = [];
    if (o.paths && o.paths.length) scope.push("paths " + o.paths.join(" "));
    if (o.include && o.include.length) scope.push("include " + o.include.join(" "));
    if (o.exclude && o.exclude.length) scope.push("exclude " + o.exclude.join(" "));
    // The policies in force and what they left out, as the summary's and
    // the authors' JSON options record them (see gitwalk's "What counts").
    scope.push("merge policy " + (o.merge_policy || (o.merges ? "include" : "exclude")));
    var au = load("authors"), ao = (au && au.options) || {};
    if (ao.bots) {
      var bots = "bots " + ao.bots, botsOut = (ao.left_out || {}).bot_commits;
      if (botsOut) bots += " (" + num(botsOut) + (ao.bots === "only" ? " non-bot" : " bot") + " commits left out of the per-person sections)";
      scope.push(bots);
    }
    if (o.coauthors) scope.push(o.coauthor_lines === "shared" ? "co-authors credited, lines shared" : "co-authors credited");
    var left = o.left_out || {};
    if (left.ignored_commits) scope.push(num(left.ignored_commits) + " ignored commits left out (" + (o.ignore_revs_file || "") + ")");
    if (left.large_commits) scope.push(num(left.large_commits) + " commits changing more than " + num(o.max_changeset) + " files left out");
    var byReason = left.files || {};
    ["generated", "vendored", "vendor-folder", "lock-file", "minified"].concat(Object.keys(byReason).sort()).forEach(function (r, i, all) {
      if (!byReason[r] || all.indexOf(r) !== i) return;
      scope.push(num(byReason[r].files) + " " + r + " files (" + num(byReason[r].lines) + " lines) left out");
    });
    var when = sumRow.first ? sumRow.first.slice(0, 10) + " to " + sumRow.last.slice(0, 10) : "no commits";
    var cards = [
      ["revisions", revs], ["period", when], ["commits", sumRow.commits], ["merges", sumRow.merges],
      ["authors", sumRow.authors], ["files", sumRow.files], ["lines added", sumRow.added],
      ["lines deleted", sumRow.deleted], ["walk time", (meta.walk_seconds || 0).toFixed(2) + " s"]
    ];
    var h = ['<div class="cards">'];
    cards.forEach(function (c) {
      h.push('<div class="card"><div class="v">' + esc(num(c[1])) + '</div><div class="k">' + esc(c[0]) + "</div></div>");
    });
    h.push('</div><div class="note">' + esc(scope.join("; ")) + ".</div>");
    body("summary").innerHTML = h.join("");
  })();

  // allPeriods lists every week or month from the first key to the last, so
  // quiet periods show as gaps rather than being skipped.
  function isoWeek(d) {
    var t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
    var day = t.getUTCDay() || 7;
    t.setUTCDate(t.getUTCDate() + 4 - day);
    var y = t.getUTCFullYear();
    var w = Math.ceil(((t - Date.UTC(y, 0, 1)) / 86400000 + 1) / 7);
    return y + "-W" + (w < 10 ? "0" : "") + w;
  }
  function allPeriods(keys) {
    if (!keys.length) return [];
    keys = keys.slice().sort();
    var first = keys[0], last = keys[keys.length - 1], out = [];
    if (period === "month") {
      var y = +first.slice(0, 4), m = +first.slice(5, 7);
      for (var i = 0; i < 100000; i++) {
        var k = y + "-" + (m < 10 ? "0" : "") + m;
        out.push(k);
        if (k >= last) break;
        if (++m > 12) { m = 1; y++; }
      }
      return out;
    }
    // Monday of ISO week 1 of the first key's year, then step by weeks.
    var fy = +first.slice(0, 4), fw = +first.slice(6);
    var jan4 = new Date(Date.UTC(fy, 0, 4));
    var d = new Date(jan4.getTime() - ((jan4.getUTCDay() || 7) - 1) * 86400000 + (fw - 1) * 7 * 86400000);
    for (var j = 0; j < 100000; j++) {
      var key = isoWeek(d);
      out.push(key);
      if (key >= last) break;
      d = new Date(d.getTime() + 7 * 86400000);
    }
    return out;
  }

  // Activity over time.
  (function () {
    var act = load("activity");
    if (!hasRows(act) || !hasRows(periods)) { nothing("activity", "no commit with a counted change"); return; }
    var pcol = col(periods, ["week", "month"]);
    var keys = allPeriods(periods.rows.map(function (r) { return r[pcol]; }));
    var index = {};
    keys.forEach(function (k, i) { index[k] = i; });
    var commits = keys.map(function () { return 0; });
    periods.rows.forEach(function (r) { commits[index[r[pcol]]] = r.commits; });
    var dirs = [], byDir = {};
    act.rows.forEach(function (r) {
      if (!byDir[r.dir]) {
        byDir[r.dir] = { added: keys.map(function () { return 0; }), deleted: keys.map(function () { return 0; }) };
        dirs.push(r.dir);
      }
      byDir[r.dir].added[index[r.period]] += r.added;
      byDir[r.dir].deleted[index[r.period]] -= r.deleted;
    });
    var totals = { added: keys.map(function () { return 0; }), deleted: keys.map(function () { return 0; }) };
    periods.rows.forEach(function (r) { totals.added[index[r[pcol]]] = r.added; totals.deleted[index[r[pcol]]] = -r.deleted; });
    function option(stacked) {
      var series = [];
      if (stacked) {
        dirs.forEach(function (d) {
          series.push({ name: d, type: "bar", stack: "added", data: byDir[d].added, emphasis: { focus: "series" } });
          series.push({ name: d, type: "bar", stack: "deleted", data: byDir[d].deleted, emphasis: { focus: "series" } });
        });
      } else {
        series.push({ name: "added", type: "bar", stack: "added", data: totals.added, itemStyle: { color: "#d9534f" } });
        series.push({ name: "deleted", type: "bar", stack: "deleted", data: totals.deleted, itemStyle: { color: "#5b8def" } });
      }
      // Commits get a grid of their own under the lines, on the same
      // periods: on a second axis over the bars their line would cross
      // them, with its zero away from the lines' zero.
      series.push({ name: "commits", type: "bar", xAxisIndex: 1, yAxisIndex: 1, data: commits, itemStyle: { color: "#555" } });
      return {
        color: palette,
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true,
          valueFormatter: function (v) { return num(Math.abs(v)); } },
        axisPointer: { link: [{ xAxisIndex: "all" }] },
        legend: { type: "scroll", top: 0 },
        grid: [{ left: 70, right: 30, top: 40, height: 290 }, { left: 70, right: 30, top: 360, height: 80 }],
        dataZoom: [{ type: "slider", xAxisIndex: [0, 1], bottom: 10, height: 18 }, { type: "inside", xAxisIndex: [0, 1] }],
        xAxis: [{ type: "category", data: keys, gridIndex: 0, axisLabel: { show: false } },
                { type: "category", data: keys, gridIndex: 1 }],
        yAxis: [{ type: "value", name: "lines", gridIndex: 0, axisLabel: { formatter: function (v) { return num(Math.abs(v)); } } },
                { type: "value", name: "commits", gridIndex: 1, splitNumber: 2 }],
        series: series
      };
    }
    var c = chart(body("activity"), option(true), "tall");
    document.getElementById("activity-stack").addEventListener("change", function (e) {
      c.setOption(option(e.target.checked), { notMerge: true });
    });
  })();

  // Top files by churn.
  (function () {
    if (!hasRows(files)) { nothing("files", "no file with a counted change"); return; }
    var key = col(files, ["entity", "file", "path"]);
    var top = files.rows.slice(0, 30);
    var most = top[0].churn || 1;
    var h = ['<div class="scroll"><table><thead><tr><th>file</th><th>commits</th><th>added</th><th>deleted</th><th>churn</th><th></th></tr></thead><tbody>'];
    top.forEach(function (r) {
      var wa = Math.round(200 * r.added / most), wd = Math.round(200 * r.deleted / most);
      h.push('<tr><td class="path">' + esc(r[key]) + '</td><td class="n">' + num(r.commits) + '</td><td class="n">' + num(r.added) +
        '</td><td class="n">' + num(r.deleted) + '</td><td class="n">' + num(r.churn) + '</td><td><span class="bar" style="width:' + wa +
        'px"></span><span class="bar del" style="width:' + wd + 'px"></span></td></tr>');
    });
    h.push("</tbody></table></div>");
    body("files").innerHTML = h.join("");
    if (files.rows.length > top.length) {
      body("files").insertAdjacentHTML("beforeend", '<div class="note">' + top.length + " of the " + num(files.rows.length) +
        " files in this report shown; the treemap below draws them all.</div>");
    }
  })();

  // Hotspots treemap: files nested by directory. The area is the current
  // size in lines when the hotspots analysis gives it, churn otherwise.
  (function () {
    var hot = load("hotspots");
    var src = hasRows(hot) ? hot : files;
    if (!hasRows(src)) { nothing("hotspots", "no file with a counted change"); return; }
    var key = col(src, ["entity", "file", "path"]);
    var area = col(src, ["lines", "size", "churn"]);
    var colour = col(src, ["churn", "n-revs", "revisions", "commits"]);
    var revs = col(src, ["n-revs", "revisions", "commits"]);
    document.querySelector("#hotspots span.area").textContent = area === "churn" ? "its churn (lines added + deleted; sizes come with the hotspots analysis)" : "its size in lines";
    document.querySelector("#hotspots span.colour").textContent = "its " + colour;
    var root = { children: [], map: {} };
    var maxColour = 1;
    src.rows.forEach(function (r) {
      var v = r[area];
      if (!(v > 0)) return;
      var parts = String(r[key]).split("/");
      var node = root;
      for (var i = 0; i < parts.length - 1; i++) {
        var p = parts[i];
        if (!node.map[p]) {
          var child = { name: p, children: [], map: {} };
          node.map[p] = child;
          node.children.push(child);
        }
        node = node.map[p];
      }
      maxColour = Math.max(maxColour, r[colour] || 0);
      node.children.push({ name: parts[parts.length - 1], value: [v, r[colour] || 0, revs ? r[revs] : 0], path: r[key], c: r[colour] || 0 });
    });
    if (src === files && sumRow) {
      // What the top N leaves out, as one block, so areas stay truthful.
      var shown = 0;
      files.rows.forEach(function (r) { shown += r.churn; });
      var rest = sumRow.added + sumRow.deleted - shown;
      if (rest > 0) root.children.push({ name: "(other files)", value: [rest, 0, 0], path: "(other files)", c: 0 });
    }
    // heat maps 0..maxColour onto pale to dark red (square root, so that a
    // few extreme files do not wash the others out).
    function heat(x) {
      var t = Math.sqrt(Math.max(0, Math.min(1, x / maxColour)));
      var from = [253, 224, 221], to = [127, 0, 0];
      return "rgb(" + from.map(function (f, i) { return Math.round(f + (to[i] - f) * t); }).join(",") + ")";
    }
    function clean(n) {
      delete n.map;
      if (n.c !== undefined) {
        n.itemStyle = { color: n.path === "(other files)" ? "#bbb" : heat(n.c) };
        // White names on the darker half of the scale, dark on the pale.
        if (Math.sqrt(n.c / maxColour) < 0.45) n.label = { color: "#222" };
        delete n.c;
      }
      else if (n.children) n.itemStyle = { color: "#e6e6e6" }; // a folder too small to show its files
      if (n.children) n.children.forEach(clean);
      return n;
    }
    clean(root);
    if (!root.children.length) { nothing("hotspots", "no file with a counted " + area); return; }
    chart(body("hotspots"), {
      tooltip: { confine: true, formatter: function (info) {
        var v = info.value || [];
        var path = info.data && info.data.path ? info.data.path : info.treePathInfo.slice(1).map(function (x) { return x.name; }).join("/");
        return esc(path) + "<br>" + area + ": " + num(Array.isArray(v) ? v[0] : v) +
          (Array.isArray(v) && info.data && !info.data.children ? "<br>" + colour + ": " + num(v[1]) + (revs && revs !== colour ? "<br>" + revs + ": " + num(v[2]) : "") : "");
      } },
      series: [{
        type: "treemap", name: "/", data: root.children, leafDepth: null, roam: false,
        nodeClick: "zoomToNode",
        breadcrumb: { show: true, bottom: 4 },
        // A folder's name is drawn on a band of its border colour: each
        // level gets a grey dark enough to set it apart from white, and
        // text that reads on it (the levels past the last take the series'
        // own style).
        upperLabel: { show: true, height: 18, color: "#222" },
        itemStyle: { borderColor: "#d4d4d4" },
        label: { show: true, formatter: "{b}", fontSize: 11 },
        levels: [
          { itemStyle: { borderColor: "#555", borderWidth: 2, gapWidth: 2 }, upperLabel: { color: "#fff" } },
          { itemStyle: { borderColor: "#888", borderWidth: 2, gapWidth: 1 }, upperLabel: { color: "#fff" } },
          { itemStyle: { borderColor: "#b4b4b4", borderWidth: 1, gapWidth: 1 } },
          { itemStyle: { borderColor: "#d4d4d4", borderWidth: 1, gapWidth: 0 } }
        ]
      }]
    }, "tall");
  })();

  // Coupling: a table of the strongest pairs and a network of them.
  (function () {
    var cp = load("coupling");
    if (!hasRows(cp)) { nothing("coupling", cp ? "no pair passed the thresholds" : "the coupling analysis is not in this report"); return; }
    var a = col(cp, ["entity", "file", "path"]), b = col(cp, ["coupled", "other"]);
    var deg = col(cp, ["degree", "coupling"]), shared = col(cp, ["shared-revisions", "shared", "shared-revs", "commits"]);
    var top = cp.rows.slice(0, 60);
    var nodes = {}, links = [];
    top.forEach(function (r) {
      [r[a], r[b]].forEach(function (n) { nodes[n] = (nodes[n] || 0) + 1; });
      links.push({ source: r[a], target: r[b], value: r[deg],
        lineStyle: { width: 1 + 5 * (r[deg] || 0) / 100, opacity: 0.25 + 0.7 * (r[deg] || 0) / 100 } });
    });
    var dirs = [];
    var data = Object.keys(nodes).map(function (n) {
      var d = TopDir(n);
      if (dirs.indexOf(d) < 0) dirs.push(d);
      return { name: n, value: nodes[n], symbolSize: 6 + 3 * Math.min(nodes[n], 8), category: dirs.indexOf(d) };
    });
    chart(body("coupling"), {
      tooltip: { confine: true, formatter: function (info) {
        if (info.dataType === "edge") return esc(info.data.source) + "<br>" + esc(info.data.target) + "<br>" + deg + ": " + num(info.data.value);
        return esc(info.name);
      } },
      legend: { type: "scroll", top: 0, data: dirs },
      // The graph is laid out below the legend, pulled towards the centre
      // so that no node drifts over it; nodes are named by file name (the
      // path on hover), names that would overlap are left out.
      series: [{ type: "graph", layout: "force", roam: true, draggable: true, data: data, links: links,
        top: 40, bottom: 20, left: 20, right: 20,
        categories: dirs.map(function (d) { return { name: d }; }),
        force: { repulsion: 120, edgeLength: [40, 120], gravity: 0.15 },
        label: { show: true, position: "right", fontSize: 10, color: "#333",
          formatter: function (p) { return String(p.name).split("/").pop(); } },
        labelLayout: { hideOverlap: true },
        emphasis: { focus: "adjacency", label: { show: true } } }]
    }, "tall");
    table(body("coupling"), cp, null, 50, [a, b]);
  })();

  function TopDir(p) { var i = String(p).indexOf("/"); return i < 0 ? "." : p.slice(0, i); }

  // Ownership and knowledge silos.
  (function () {
    var own = load("ownership");
    if (!hasRows(own)) { nothing("ownership", own ? "no file with a counted change" : "the ownership analysis is not in this report"); return; }
    var f = col(own, ["entity", "file", "path"]), who = col(own, ["main-dev", "author", "main-author", "owner"]);
    var share = col(own, ["ownership", "share", "fraction"]), n = col(own, ["n-authors", "authors"]);
    var rows = own.rows.slice();
    var pct = function (v) { return v <= 1 ? v * 100 : v; };
    if (share) rows.sort(function (x, y) { return pct(y[share]) - pct(x[share]) || (n ? x[n] - y[n] : 0); });
    // Knowledge silos per main author: how many files each one holds most of.
    var per = {};
    rows.forEach(function (r) { if (!share || pct(r[share]) >= 80) per[r[who]] = (per[r[who]] || 0) + 1; });
    var names = Object.keys(per).sort(function (x, y) { return per[y] - per[x] || (x < y ? -1 : 1); }).slice(0, 15);
    var among = own.options && own.options.top ? "of the " + num(own.rows.length) + " files listed" : "files";
    if (names.length) {
      chart(body("ownership"), {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
        grid: { left: 220, right: 30, top: 20, bottom: 40 },
        xAxis: { type: "value", name: "files", nameLocation: "middle", nameGap: 24 },
        yAxis: { type: "category", data: names.slice().reverse(), axisLabel: { width: 200, overflow: "truncate" } },
        series: [{ type: "bar", name: among + " with 80% or more of the lines theirs", data: names.slice().reverse().map(function (k) { return per[k]; }), itemStyle: { color: "#8e6bbf" } }]
      });
    }
    var dirs = load("ownership-dirs");
    if (hasRows(dirs)) {
      body("ownership").insertAdjacentHTML("beforeend", "<h3>By folder</h3>");
      table(body("ownership"), dirs, null, 0, [col(dirs, ["dir"])]);
    }
    body("ownership").insertAdjacentHTML("beforeend", "<h3>By file</h3>");
    table(body("ownership"), { columns: own.columns, rows: rows }, null, 50, [f]);
  })();

  // Who knows the code: the truck factor and its people (knowledge), files
  // authored per person (knowledge-people), a map of the files by main
  // author or by loss (knowledge-files, knowledge-loss) and the hot files
  // nobody left knows.
  (function () {
    var truck = load("knowledge"), kf = load("knowledge-files"), kp = load("knowledge-people"), kl = load("knowledge-loss");
    if (!hasRows(kf) || !hasRows(truck)) {
      nothing("knowledge", truck ? "no file in the repository's languages was walked" : "the knowledge analysis is not in this report");
      return;
    }
    var notes = truck.notes || {}, opts = truck.options || {};
    document.querySelector("#knowledge span.departed").textContent = num(opts.departed_after_months);
    var people = notes["truck-factor-people"] ? String(notes["truck-factor-people"]).split("; ") : [];
    var byPerson = {};
    if (hasRows(kp)) kp.rows.forEach(function (r) { byPerson[r.author] = r; });
    var cards = [];
    if (notes["truck-factor"] != null) cards.push(["truck factor", notes["truck-factor"]]);
    else truck.rows.forEach(function (r) {
      // Several repositories: each has its own truck factor, in its "." row.
      if (r.repository != null && r.folder === ".") cards.push(["truck factor of " + r.repository, r["truck-factor"]]);
    });
    cards = cards.concat([["files", notes.files], ["knowledge islands", notes.islands],
      ["files nobody left knows", notes["lost-files"]]]);
    if (notes["departed-before"]) cards.push(["departed: no commit since", String(notes["departed-before"]).slice(0, 10)]);
    var h = ['<div class="cards">'];
    cards.forEach(function (c) {
      h.push('<div class="card"><div class="v">' + esc(num(c[1])) + '</div><div class="k">' + esc(c[0]) + "</div></div>");
    });
    h.push("</div>");
    if (people.length) {
      h.push('<h3>The truck factor\'s people, in the order the search removed them</h3><ol class="truck">');
      people.forEach(function (p) {
        var r = byPerson[p];
        h.push("<li>" + esc(p) + (r ? ' <span class="note">authors ' + num(r.files) + " files" + (r.departed ? ", departed" : "") + "</span>" : "") + "</li>");
      });
      h.push("</ol>");
    }
    body("knowledge").innerHTML = h.join("");

    // Files authored per person: the truck factor's people in red.
    if (hasRows(kp)) {
      var top = kp.rows.filter(function (r) { return r.files > 0; }).slice(0, 20).reverse();
      if (top.length) {
        chart(body("knowledge"), {
          tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
          grid: { left: 240, right: 30, top: 20, bottom: 40 },
          xAxis: { type: "value", name: "files authored", nameLocation: "middle", nameGap: 24 },
          yAxis: { type: "category", data: top.map(function (r) { return r.author; }), axisLabel: { width: 220, overflow: "truncate" } },
          series: [{ type: "bar", name: "files authored", data: top.map(function (r) {
            var c = people.indexOf(r.author) >= 0 ? "#d62728" : (r.departed ? "#9e9e9e" : "#4e79a7");
            return { value: r.files, itemStyle: { color: c } };
          }) }]
        });
        body("knowledge").insertAdjacentHTML("beforeend", '<div class="note">Red: the truck factor\'s people; grey: departed.</div>');
      }
    }

    // The map: files nested by folder, area churn (commits without line
    // counts), colour the main author (the first by DOA) or the loss.
    var key = col(kf, ["entity", "file", "path"]);
    var area = col(kf, ["churn", "commits"]);
    document.querySelector("#knowledge span.area").textContent = "its " + area;
    var lost = {};
    if (hasRows(kl)) kl.rows.forEach(function (r) { lost[r[col(kl, ["entity", "file", "path"])]] = true; });
    var counts = {};
    kf.rows.forEach(function (r) { var m = r.authors ? String(r.authors).split("; ")[0] : ""; if (m) counts[m] = (counts[m] || 0) + 1; });
    var mains = Object.keys(counts).sort(function (x, y) { return counts[y] - counts[x] || (x < y ? -1 : 1); }).slice(0, palette.length - 1);
    function mainOf(r) { return r.authors ? String(r.authors).split("; ")[0] : ""; }
    function colourOf(r, byLoss) {
      if (byLoss) {
        if (lost[r[key]]) return "#b2182b";
        if (r["n-authors"] === 1) return "#f4a582";
        if (r["n-authors"] === 2) return "#fddbc7";
        return "#92c5de";
      }
      var m = mainOf(r);
      if (!m) return "#555";
      var i = mains.indexOf(m);
      return i >= 0 ? palette[i] : "#cfcfcf";
    }
    function tree(byLoss) {
      var root = { children: [], map: {} };
      kf.rows.forEach(function (r) {
        var v = r[area];
        if (!(v > 0)) v = 1; // a file is on the map even when its churn is 0
        var parts = String(r[key]).split("/");
        var node = root;
        for (var i = 0; i < parts.length - 1; i++) {
          if (!node.map[parts[i]]) {
            var child = { name: parts[i], children: [], map: {} };
            node.map[parts[i]] = child;
            node.children.push(child);
          }
          node = node.map[parts[i]];
        }
        node.children.push({ name: parts[parts.length - 1], value: v, path: r[key], row: r,
          itemStyle: { color: colourOf(r, byLoss) } });
      });
      (function clean(n) { delete n.map; if (n.children) n.children.forEach(clean); })(root);
      return root.children;
    }
    function option(byLoss) {
      var legend = byLoss ?
        [["#b2182b", "nobody left knows it"], ["#f4a582", "one author (an island)"], ["#fddbc7", "two authors"], ["#92c5de", "three or more"]] :
        mains.map(function (m, i) { return [palette[i], m]; }).concat([["#cfcfcf", "(other main authors)"], ["#555", "(no author)"]]);
      return {
        tooltip: { confine: true, formatter: function (info) {
          var d = info.data || {};
          if (!d.row) return esc(info.treePathInfo.slice(1).map(function (x) { return x.name; }).join("/"));
          var r = d.row;
          return esc(d.path) + "<br>authors: " + esc(r.authors || "(none)") + "<br>" + area + ": " + num(r[area]) +
            (lost[d.path] ? "<br><b>nobody left knows it</b>" : "");
        } },
        // The legend is drawn as a graphic list: a treemap has no series
        // per colour for ECharts' own legend.
        graphic: legend.map(function (l, i) {
          return { type: "group", left: 10 + (i % 4) * 260, top: 4 + Math.floor(i / 4) * 18, children: [
            { type: "rect", shape: { width: 12, height: 12 }, style: { fill: l[0] } },
            { type: "text", left: 16, top: 0, style: { text: l[1].length > 36 ? l[1].slice(0, 35) + "…" : l[1], fontSize: 11, fill: "#333" } }] };
        }),
        series: [{ type: "treemap", name: "/", data: tree(byLoss), leafDepth: null, roam: false, nodeClick: "zoomToNode",
          top: 18 * Math.ceil(legend.length / 4) + 10, breadcrumb: { show: true, bottom: 4 },
          upperLabel: { show: true, height: 18, color: "#222" }, itemStyle: { borderColor: "#d4d4d4" },
          label: { show: true, formatter: "{b}", fontSize: 11, color: "#111" },
          levels: [
            { itemStyle: { borderColor: "#555", borderWidth: 2, gapWidth: 2 }, upperLabel: { color: "#fff" } },
            { itemStyle: { borderColor: "#888", borderWidth: 2, gapWidth: 1 }, upperLabel: { color: "#fff" } },
            { itemStyle: { borderColor: "#b4b4b4", borderWidth: 1, gapWidth: 1 } },
            { itemStyle: { borderColor: "#d4d4d4", borderWidth: 1, gapWidth: 0 } }
          ] }]
      };
    }
    body("knowledge").insertAdjacentHTML("beforeend", "<h3>Files by main author</h3>");
    var map = chart(body("knowledge"), option(false), "tall");
    document.getElementById("knowledge-loss-colour").addEventListener("change", function (e) {
      map.setOption(option(e.target.checked), { notMerge: true });
    });

    body("knowledge").insertAdjacentHTML("beforeend", "<h3>Hot files nobody left knows</h3>");
    if (hasRows(kl)) table(body("knowledge"), kl, null, 30, [col(kl, ["entity", "file", "path"])]);
    else body("knowledge").insertAdjacentHTML("beforeend", '<div class="note">Every file has an author left.</div>');

    // The truck factor of each folder, two levels deep, biggest first.
    var dirs = truck.rows.filter(function (r) { return r.folder !== "." && String(r.folder).split("/").length <= 2; });
    dirs.sort(function (x, y) { return y.files - x.files || (x.folder < y.folder ? -1 : 1); });
    if (dirs.length) {
      body("knowledge").insertAdjacentHTML("beforeend", "<h3>Truck factor by folder</h3>");
      table(body("knowledge"), { columns: truck.columns, rows: dirs }, null, 40, ["folder"]);
    }
  })();

  // Authors.
  (function () {
    var au = load("authors");
    if (!hasRows(au)) { nothing("authors", "no commit walked"); return; }
    table(body("authors"), au, null, 30, []);
  })();

  // Authors over time.
  (function () {
    var aot = load("activity-authors");
    if (!hasRows(aot)) { nothing("authors-over-time", "no commit with a counted change"); return; }
    var keys = allPeriods(aot.rows.map(function (r) { return r.period; }));
    var index = {};
    keys.forEach(function (k, i) { index[k] = i; });
    var names = [], by = {};
    aot.rows.forEach(function (r) {
      if (!by[r.author]) { by[r.author] = keys.map(function () { return 0; }); names.push(r.author); }
      by[r.author][index[r.period]] += r.commits;
    });
    chart(body("authors-over-time"), {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
      legend: { type: "scroll", top: 0 },
      grid: { left: 60, right: 30, top: 40, bottom: 70 },
      dataZoom: [{ type: "slider", bottom: 10, height: 18 }, { type: "inside" }],
      xAxis: { type: "category", data: keys },
      yAxis: { type: "value", name: "commits" },
      series: names.map(function (n) { return { name: n, type: "bar", stack: "commits", data: by[n], emphasis: { focus: "series" } }; })
    });
  })();

  // Code age and branches: tables.
  (function () {
    var age = load("age");
    if (!hasRows(age)) nothing("age", age ? "no file with a counted change" : "the age analysis is not in this report");
    else table(body("age"), age, null, 50, [col(age, ["entity", "file", "path"])]);
    var br = load("branches");
    if (!hasRows(br)) nothing("branches", br ? "no branch" : "the branches analysis is not in this report");
    else table(body("branches"), br, null, 100, [col(br, ["branch", "name"])]);
  })();

  started = true;
  settle();
})();
