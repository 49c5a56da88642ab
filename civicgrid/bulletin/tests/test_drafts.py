"""The drafts are pure functions of their figures: what the data says, word for word, and
nothing else (no invented facts). No database."""

from civicgrid.bulletin import charts, drafts

CASES = {
    "first": "2026-11-01",
    "last": "2026-11-23",
    "filed": 120,
    "due": 100,
    "closed": 95,
    "closed_on_time": 90,
    "overdue": 10,
    "rated": 40,
    "satisfied": 38,
    "closure_rate": 95.0,
    "on_time_closure_rate": 90.0,
    "satisfaction_rate": 95.0,
    "grade": "A",
    "categories": [
        {"name": "暴露垃圾", "filed": 70, "closed": 60},
        {"name": "违法停车", "filed": 50, "closed": 35},
    ],
}


def test_the_cases_article_says_exactly_its_figures():
    text = drafts.write_cases(CASES)
    assert text["title"] == "城运中心本期立案 120 件 结案率 95.0%"
    assert text["body"] == [
        "2026年11月1日至11月23日，街道城运中心共立案 120 件，其中应结案 100 件，已结案 95 件，"
        "结案率 95.0%；按期结案 90 件，按期结案率 90.0%，综合评价等级 A。",
        "超期 10 件，已列入督办跟踪。",
        "群众评价 40 件，满意和基本满意 38 件，满意率 95.0%。",
        "从类别看，立案最多的是“暴露垃圾”，共 70 件。",
    ]
    assert text["table"]["rows"] == [["暴露垃圾", "70", "60"], ["违法停车", "50", "35"]]
    assert ">70件<" in text["chart"] and ">50件<" in text["chart"]


def test_a_sentence_without_figures_is_left_out():
    text = drafts.write_cases(CASES | {"overdue": 0, "rated": 0, "categories": []})
    assert len(text["body"]) == 1
    assert not any("超期" in p or "满意" in p for p in text["body"])
    assert text["chart"] == ""


def test_the_fire_article_and_its_colours():
    text = drafts.write_firesafety(
        {
            "green": 1500,
            "yellow": 150,
            "red": 12,
            "unrated": 30,
            "coded": 1692,
            "overdue_reds": 2,
            "registered": 1692,
            "coverage": 1.0,
        }
    )
    assert text["title"] == "三色码：绿码 1,500 户 红码 12 户"
    assert text["body"][0] == (
        "截至本期，街道出租屋消防“三色码”已赋码 1,692 户，一户一码覆盖率 100.0%。"
        "其中绿码 1,500 户、黄码 150 户、红码 12 户，待评定 30 户。"
    )
    assert text["body"][1] == "红码户须限期整改，其中逾期未改 2 户，已启动基层约请。"
    assert 'fill="#c62828"' in text["chart"]


def test_the_hotline_half_year():
    text = drafts.write_hotline(
        {
            "first": "2026-07-01",
            "last": "2026-11-23",
            "half": 2,
            "year": 2026,
            "received": 300,
            "sent_back": 4,
            "closed": 280,
            "first_contact_on_time": 270,
            "hotline_tickets": 290,
            "first_contact_rate": 93.1,
            "months": [{"month": "2026-07", "n": 100}, {"month": "2026-08", "n": 200}],
        }
    )
    assert text["title"] == "2026年下半年 12345 热线工单 300 件"
    assert "受理 12345 市民服务热线工单 300 件，已办结 280 件，按规定退单 4 件。" in text["body"][0]
    assert text["body"][1] == (
        "立案的 290 件工单中，270 件在时限内先行联系市民，先行联系及时率 93.1%。"
    )
    assert text["table"]["rows"] == [["2026-07", "100"], ["2026-08", "200"]]


def test_the_time_bank_names_projects_never_people():
    text = drafts.write_timebank(
        {
            "first": "2026-11-01",
            "last": "2026-11-23",
            "hours": 1234.5,
            "records": 800,
            "registered": 1050,
            "double_report": 300,
            "projects": 22,
            "partners": 32,
            "by_project": [{"name": "长者食堂助餐", "hours": 400.0, "records": 250}],
        }
    )
    assert text["title"] == "爱心银行：志愿服务 1,234.5 小时"
    assert "登记志愿者 1,050 人（其中双报到 300 人）" in text["body"][0]
    assert text["body"][1] == "服务时长最多的项目是“长者食堂助餐”，共 400 小时。"


def test_a_chart_escapes_its_labels_and_draws_nothing_for_zeros():
    svg = charts.bars([("<script>", 3), ("甲", 1)])
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert charts.bars([("甲", 0), ("乙", 0)]) == ""
    assert charts.bars([]) == ""


def test_the_half_year_of_a_day():
    import datetime

    assert drafts.half_year(datetime.date(2026, 6, 30)) == (
        datetime.date(2026, 1, 1),
        datetime.date(2026, 6, 30),
    )
    assert drafts.half_year(datetime.date(2026, 7, 1))[0] == datetime.date(2026, 7, 1)


def test_the_honour_roll_prints_the_consented_names_it_is_given():
    text = drafts.write_honours(
        {
            "rolls": [
                {
                    "title": "2026年身边好人",
                    "scope": "新苗村",
                    "source": "nominations",
                    "entries": [
                        {"name": "陈阿姨", "citation": "照顾独居老人十年"},
                        {"name": "周建华", "citation": "义务修车"},
                    ],
                }
            ]
        }
    )
    assert text["title"] == "光荣榜：2 位身边好人"
    assert text["body"] == ["新苗村“2026年身边好人”：陈阿姨、周建华。"]
    assert text["table"]["rows"] == [["陈阿姨", "照顾独居老人十年"], ["周建华", "义务修车"]]
    assert text["table"]["columns"] == ["姓名", "事迹"]


def test_the_honour_roll_s_heading_follows_the_kinds_of_its_rolls():
    """Not every 光荣榜 is of 身边好人: organisations are counted as such, volunteers as
    volunteers, and a roll written by hand names neither."""

    def roll(source, *names):
        entry = [{"name": n, "citation": "称号"} for n in names]
        return {"title": "光荣榜", "scope": "康桥镇", "source": source, "entries": entry}

    text = drafts.write_honours(
        {
            "rolls": [
                roll("star_rating", "甲居民区党总支", "乙村党支部"),
                roll("volunteers", "王志愿"),
                roll("star_rating", "丙党支部"),
            ]
        }
    )
    assert text["title"] == "光荣榜：3 个星级党组织、1 位优秀志愿者"
    assert text["lead"] == "光荣榜表彰 3 个星级党组织、1 位优秀志愿者"
    assert text["table"]["columns"] == ["名称", "事迹"]
    text = drafts.write_honours({"rolls": [roll("manual", "康桥镇城运中心", "李师傅")]})
    assert text["title"] == "光荣榜：2 个先进典型" and "身边好人" not in str(text)


def test_the_five_star_organisations():
    text = drafts.write_party(
        {
            "organisations": [
                {"name": "甲居民区党总支", "stars": 5, "awarded_by": "街道党工委", "year": 2026},
                {"name": "乙村党支部", "stars": 5, "awarded_by": "街道党工委", "year": 2026},
            ]
        }
    )
    assert text["body"] == [
        "街道党工委评定 2 个党组织为2026年度“五星级党组织”：甲居民区党总支、乙村党支部。"
    ]
    assert text["table"]["rows"][0] == ["甲居民区党总支", "★★★★★", "街道党工委"]


def test_the_notices_and_their_objections():
    text = drafts.write_notices(
        {
            "first": "2026-11-01",
            "last": "2026-11-23",
            "total": 2,
            "notices": [
                {
                    "kind": "公示",
                    "title": "社区项目评选结果",
                    "scope": "新苗村",
                    "department": "社区自治办",
                    "objections": 3,
                    "answered": 2,
                },
                {
                    "kind": "公告",
                    "title": "停水通知",
                    "scope": "汤巷馨村",
                    "department": "",
                    "objections": 0,
                    "answered": 0,
                },
            ],
        }
    )
    assert text["body"][:2] == [
        "2026年11月1日至11月23日，街道和各居村发布公示公告 2 件。",
        "公示期内收到居民异议 3 条，已答复 2 条。",
    ]
    assert text["body"][2] == "新苗村公示：“社区项目评选结果”。"


def test_garbage_sorting_prints_the_ten_communities_that_reduced_most():
    communities = [
        {"name": f"居委{i:02d}", "kg": 100 + i, "reduction_rate": i / 100, "pass_rate": 0.9}
        for i in range(1, 63)
    ]
    text = drafts.write_sorting(
        {
            "first": "2026-11-01",
            "last": "2026-11-23",
            "kg_total": 18266.1,
            "reduction_rate": 0.377,
            "inspected": 138,
            "passed": 114,
            "pass_rate": 0.826,
            "grade": "优",
            "communities": communities,
        }
    )
    assert text["body"] == [
        "2026年11月1日至11月23日，全街道生活垃圾分类称重 18,266.1 公斤，干垃圾减量率 37.7%。",
        "街道检查投放点 138 次，达标 114 次，达标率 82.6%，评定等级“优”。",
        "减量率最高的是居委62，达到 62.0%。",
    ]
    assert [row[0] for row in text["table"]["rows"]] == [f"居委{i}" for i in range(62, 52, -1)]
    assert text["chart"].count("<rect") == 10
