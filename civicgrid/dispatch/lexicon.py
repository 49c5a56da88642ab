"""Prior knowledge for smart dispatch: a hand-written lexicon of government-complaint topics.

A few hundred labelled messages cannot teach a model that 欠薪 and 讨薪 and 包工头 belong
together, or that 挂号, 门诊 and 医保报销 do: each word is seen a handful of times, or never.
The topics below say so once, for any label set: each message gets one count per topic (how
often its words occur), and the learner weighs those dense columns against the labels it is
given, so a topic is a clue, not a class, and the labels stay free (a street's 51 categories, a
board's seven 一级标签 or anything else).

Written for civicgrid from general knowledge of what residents complain about to a city
government (12345, 领导留言板) — not taken from, nor tuned word by word on, any 政务留言 data
or the development files. Words are matched as substrings of the normalised text (NFKC, lower
case, digits as "0"), so they are two characters or more and chosen not to occur inside
unrelated common words.
"""

import math
import re

# topic → words (space-separated). About twenty topics of 30–80 words each.
TOPICS: dict[str, str] = {
    "住房建设": """
        房屋质量 房屋漏水 墙体开裂 裂缝 渗水 外墙 楼顶 违章搭建 违建 违法建筑 搭建 加盖 拆违
        建筑工地 施工方 开发商 开发区 楼盘 商品房 期房 交房 延期交房 烂尾 购房 房产证 不动产
        产权证 网签 房贷 公积金 保障房 公租房 廉租房 安置房 动迁 拆迁 征收 征地 补偿款 旧改
        旧区改造 城中村 棚户区 规划 容积率 日照 采光 加装电梯 老旧小区改造 危房 房屋安全
        装修 精装修 质量问题 维修基金 住建 建设局 房管局 规划局 竣工 验收 承建 工程款 施工许可
    """,
    "物业小区": """
        物业 物业费 物业公司 物业管理 业委会 业主委员会 业主大会 业主群 小区门禁 门禁卡 保安
        保洁 电梯故障 电梯维保 困人 楼道 车库 地下车库 公共区域 公共收益 绿化带 小区绿化 堆物
        楼道堆物 电瓶车上楼 飞线充电 充电桩 高空抛物 群租 二房东 租户 邻居 楼上 楼下 装修噪音
        居委会 居委 物业经理 前期物业 业主 公共维修 停水通知 物业服务 收费标准 乱收费
    """,
    "道路设施": """
        道路 马路 路面 坑洼 坑洞 塌陷 破损 路灯 不亮 井盖 窨井 雨水口 积水 人行道 盲道 地砖
        护栏 隔离栏 红绿灯 信号灯 斑马线 人行横道 路口 十字路口 掉头 车道 限速 减速带 标志牌
        指示牌 路牌 标线 高架 匝道 隧道 桥梁 天桥 地道 修路 道路施工 封路 绕行 断头路 道路拓宽
        市政 养护 照明 交通设施 交通事故 事故 追尾 电子警察 摄像头 测速
    """,
    "停车": """
        停车 停车位 车位 停车场 停车难 停车费 收费停车 乱停 乱停车 违停 违章停车 占道停车 僵尸车
        罚单 贴条 拖车 禁停 临时停车 错峰停车 共享停车 路边停车 车位费 充电车位 占用车位
        地锁 停车收费 停车管理 停放 乱停乱放 机动车 私家车 非机动车停放
    """,
    "公共交通出行": """
        公交 公交车 公交线路 公交站 站台 候车亭 站牌 班次 首班车 末班车 发车 间隔 换乘 地铁
        地铁站 轨道交通 出口 线路调整 撤线 延伸 开通 出租车 网约车 拒载 绕路 黑车 共享单车
        单车 电动自行车 电瓶车 驾驶员 司机 乘客 刷卡 交通卡 拥堵 堵车 早高峰 晚高峰 通勤
        驾校 驾照 车管所 车牌 年检 交警 交通执法 运管 运输 货车 渣土车 大货车 客运 长途
    """,
    "教育学校": """
        学校 小学 初中 高中 中学 幼儿园 托育 托班 学生 孩子上学 家长 老师 教师 班主任 校长
        教育局 学区 学区房 划片 入学 招生 报名 插班 转学 学籍 中考 高考 考试 成绩 作业 减负
        课后服务 课外班 校外培训 培训机构 补课 学费 收费 校服 午餐 食堂 营养餐 校车 放学
        接送 校门口 教室 操场 体育课 教学 民办 公办 随迁子女 借读 职业学校 大学 毕业生
    """,
    "医疗医保": """
        医院 门诊 急诊 住院 挂号 专家号 看病 就医 医生 护士 医护 医疗 医疗纠纷 医疗事故 手术
        病人 患者 病房 床位 药品 药费 药店 处方 检查费 收费 医保 医保卡 医保报销 报销 异地就医
        社区卫生服务中心 卫生服务中心 卫生院 家庭医生 体检 疫苗 接种 防疫 传染病 核酸 卫健委
        卫生局 计划生育 生育 孕妇 产检 出生证明 独生子女 计生 母婴 妇幼 儿科 医德 误诊 病历
    """,
    "劳动就业": """
        工资 拖欠工资 欠薪 讨薪 欠款 工钱 农民工 包工头 工地老板 劳务 劳务派遣 用人单位 公司
        老板 员工 职工 劳动合同 合同到期 试用期 辞退 开除 解雇 离职 裁员 经济补偿 赔偿金 加班
        加班费 工时 休假 年假 劳动仲裁 仲裁 劳动监察 人社局 劳动局 工伤 工伤认定 职业病 招聘
        求职 就业 失业 失业金 失业保险 培训补贴 技能 创业 灵活就业 押金 罚款
    """,
    "社保养老金": """
        社保 社会保险 社保缴纳 缴费基数 补缴 断缴 转移 养老保险 养老金 退休 退休金 退休工资
        退休手续 提前退休 工龄 视同缴费 档案 医疗保险 生育保险 生育津贴 公积金 低保 困难补助
        救助 特困 残疾人 残疾证 补贴 津贴 抚恤 优抚 退役军人 老龄补贴 高龄补贴 城乡居民
        待遇 领取 发放 社保卡 人力资源和社会保障 民政
    """,
    "养老服务": """
        老人 老年人 独居老人 孤老 高龄 空巢 养老院 敬老院 养老机构 护理院 日间照料 长者食堂
        助餐 老年食堂 居家养老 上门服务 护理 长护险 失能 失智 认知症 助浴 老年活动室 为老服务
        适老化 扶手 轮椅 助老 陪诊 子女不在身边 阿姨 老伴
    """,
    "消费商贸": """
        商家 商户 店家 店铺 门店 超市 商场 菜场 菜市场 市场 摊贩 摊位 小贩 无证经营 占道经营
        消费者 消费 购买 买了 退款 退货 退费 换货 售后 质量 假货 假冒伪劣 虚假宣传 欺诈 价格
        标价 乱收费 涨价 缺斤短两 发票 预付卡 会员卡 充值 跑路 倒闭 健身房 美容 理发 培训班
        网购 快递 外卖 平台 市场监管 工商 食品安全 过期食品 餐馆 饭店 餐饮 营业执照 广告
    """,
    "旅游文化": """
        旅游 景区 景点 门票 游客 导游 旅行社 旅行团 强制购物 购物点 酒店 宾馆 民宿 住宿 度假
        公园 游乐场 古镇 文物 古建筑 博物馆 图书馆 文化馆 展览 演出 剧场 电影院 体育馆 体育场
        健身设施 健身器材 球场 游泳馆 全民健身 文体 文化活动 广场舞 比赛 赛事 非遗
    """,
    "环境污染": """
        污染 环境污染 环保 环保局 生态环境 排污 偷排 废水 污水 排放 超标 废气 烟囱 黑烟 臭味 异味
        气味 刺鼻 化工厂 工厂 厂房 作坊 粉尘 扬尘 灰尘 雾霾 空气质量 河道 河水 黑臭 水质 死鱼
        水体 土壤 固废 危废 焚烧 秸秆 养殖场 油烟 油烟机 烧烤 环评 监测 在线监测 治理 整改 辐射
        基站 光污染
    """,
    "噪声扰民": """
        噪音 噪声 扰民 吵闹 很吵 太吵 吵得 睡不着 失眠 休息 夜间施工 凌晨 半夜 深夜 广场舞
        音响 音乐 喇叭 高音 ktv 酒吧 装修噪音 电钻 打桩 机器声 轰鸣 鸣笛 分贝 隔音 狗叫
        楼上 跑跳 施工噪音 发动机 空调外机 风机
    """,
    "垃圾市容": """
        垃圾 垃圾桶 垃圾箱 垃圾房 垃圾分类 湿垃圾 干垃圾 可回收 有害垃圾 建筑垃圾 装修垃圾
        大件垃圾 清运 环卫 保洁员 清扫 卫生 脏乱差 脏乱 堆放 乱扔 乱倒 渣土 小广告 牛皮癣
        涂鸦 乱贴 乱张贴 市容 城管 绿化 树木 修剪 树枝 落叶 公厕 厕所 蚊蝇 苍蝇 老鼠 蟑螂
        废品 收废品 晾晒 占道 乱搭乱建 流动摊贩
    """,
    "水电燃气": """
        停水 停电 自来水 水压 水质 水管 爆管 漏水 水表 水费 二次供水 水箱 供电 电压 电费 电表
        电网 电线 变压器 跳闸 线路老化 燃气 煤气 天然气 燃气管道 燃气泄漏 漏气 燃气表 供暖
        暖气 供热 下水道 排水 堵塞 化粪池 返水 倒灌 雨污分流 网络 宽带 信号 通信 有线电视
    """,
    "公共安全": """
        安全隐患 隐患 消防 消防通道 消防栓 消火栓 灭火器 火灾 着火 起火 烟雾 易燃 危险品 煤气罐
        液化气 高空坠物 坠落 倒塌 危险 事故 触电 溺水 防汛 台风 暴雨 监控 治安 小偷 被盗 盗窃
        诈骗 骗子 打架 斗殴 报警 派出所 公安 警察 黑恶 赌博 传销 流浪 精神病 救助 走失 电诈
    """,
    "宠物动物": """
        养狗 遛狗 犬只 狗叫 狗屎 拴绳 牵绳 咬人 被咬 狂犬 流浪狗 流浪猫 野猫 喂猫 宠物 宠物店
        养鸡 养鸽子 鸽子 家禽 活禽 养殖 咬伤 老鼠 动物 犬证 烈性犬 大型犬 文明养犬 猫狗
    """,
    "政务服务": """
        办事 办理 窗口 审批 盖章 证明 开证明 户口 落户 户籍 居住证 身份证 迁移 积分 人才引进
        政务服务 一网通办 随申办 热线 工单 回复 答复 推诿 踢皮球 不作为 态度 工作人员 公务员
        街道办 政府 领导 信访 投诉无门 效率 材料 流程 手续 网上办理 预约
    """,
    "农业农村": """
        农村 农民 村民 村委 村干部 土地 宅基地 承包地 流转 耕地 农田 种地 粮食 补贴款 农业
        农机 大棚 种植 养殖户 水利 灌溉 鱼塘 林地 集体 分红 村集体 征用 乡镇 镇政府 乡村振兴
    """,
}

# Each topic's words, longest first: one pass of a regular expression finds the longest word at
# each place (an alternation tries its branches in order), so 拖欠工资 is counted once, not also
# as 工资.
_WORDS: dict[str, tuple[str, ...]] = {
    topic: tuple(sorted(set(text.split()), key=lambda w: (-len(w), w)))
    for topic, text in TOPICS.items()
}
NAMES: tuple[str, ...] = tuple(_WORDS)
_PATTERN = re.compile(
    "|".join(
        re.escape(w)
        for w in sorted({w for ws in _WORDS.values() for w in ws}, key=lambda w: (-len(w), w))
    )
)
_OWNERS: dict[str, tuple[int, ...]] = {}
for _i, _topic in enumerate(NAMES):
    for _w in _WORDS[_topic]:
        _OWNERS[_w] = (*_OWNERS.get(_w, ()), _i)


def counts(text: str) -> list[int]:
    """How many times each topic's words occur in a normalised text (a word in two topics
    counts for both)."""
    out = [0] * len(NAMES)
    for match in _PATTERN.finditer(text):
        for i in _OWNERS[match.group(0)]:
            out[i] += 1
    return out


def features(text: str) -> list[float]:
    """The topic profile of a normalised text: log(1 + count) per topic, scaled to unit length,
    so a long message and a short one with the same topics look alike (as TF-IDF rows do)."""
    v = [math.log1p(c) for c in counts(text)]
    norm = math.sqrt(sum(x * x for x in v))
    return [x / norm for x in v] if norm else v
